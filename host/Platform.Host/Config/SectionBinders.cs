using System.Text.RegularExpressions;
using Platform.Engine.Windows;
using Platform.Host.Config.Binding;

namespace Platform.Host.Config;

/// <summary>Binds <c>runtime</c>.</summary>
internal static class RuntimeBinder
{
    /// <summary>Smallest chunk a source reads.</summary>
    public const long MinChunkSize = 1L << 10;
    /// <summary>Largest chunk a source reads.</summary>
    public const long MaxChunkSize = 64L << 20;
    /// <summary>Largest batch.</summary>
    public const int MaxBatchSize = 1 << 20;

    public static RuntimeConfig Bind(MappingReader? reader)
    {
        var d = RuntimeConfig.Default;
        if (reader is null)
        {
            return d;
        }
        var config = new RuntimeConfig(
            reader.Int32("workers", d.Workers, 0, 1024),
            reader.Int32("batch-size", d.BatchSize, 1, MaxBatchSize),
            reader.Int32("channel-capacity", d.ChannelCapacity, 1, 1 << 16),
            reader.Size("chunk-size", d.ChunkSize, MinChunkSize, MaxChunkSize));
        reader.ReportUnknownKeys();
        return config;
    }
}

/// <summary>Binds <c>event-time</c>.</summary>
internal static class EventTimeBinder
{
    public static EventTimeConfig Bind(MappingReader? reader)
    {
        var d = EventTimeConfig.Default;
        if (reader is null)
        {
            return d;
        }
        var config = new EventTimeConfig(
            reader.Duration("allowed-lateness", d.AllowedLateness, TimeSpan.Zero),
            reader.Duration("idle-timeout", d.IdleTimeout, TimeSpan.FromMilliseconds(1)),
            reader.Enum("late-policy", d.LatePolicy));
        reader.ReportUnknownKeys();
        return config;
    }
}

/// <summary>Binds <c>http</c>.</summary>
internal static class HttpBinder
{
    public static HttpConfig Bind(MappingReader? reader)
    {
        if (reader is null)
        {
            return HttpConfig.Default;
        }
        var config = new HttpConfig(reader.Int32("port", HttpConfig.Default.Port, 0, 65535));
        reader.ReportUnknownKeys();
        return config;
    }
}

/// <summary>Binds <c>checkpoint</c>; a relative <c>dir</c> resolves against the working directory.</summary>
internal static class CheckpointBinder
{
    public static CheckpointConfig? Bind(MappingReader? reader, BindContext context)
    {
        if (reader is null)
        {
            return null;
        }
        var dir = reader.String("dir", "out/checkpoints");
        var interval = reader.Duration("interval", ConfigDefaults.CheckpointInterval, TimeSpan.FromMilliseconds(10));
        var retain = reader.Int32("retain", ConfigDefaults.CheckpointRetain, 1, 1000);
        reader.ReportUnknownKeys();
        return dir is null ? null : new CheckpointConfig(dir, context.ResolveOutput(dir), interval, retain);
    }
}

/// <summary>Binds <c>dead-letter</c>; a relative path resolves against the working directory.</summary>
internal static class DeadLetterBinder
{
    public static DeadLetterConfig Bind(MappingReader? reader, string pipelineName, BindContext context)
    {
        var fallback = DeadLetterConfig.CreateDefault(pipelineName, context.WorkingDirectory);
        if (reader is null)
        {
            return fallback;
        }
        var path = reader.String("path");
        reader.ReportUnknownKeys();
        return path is null ? fallback : new DeadLetterConfig(path, context.ResolveOutput(path));
    }
}

/// <summary>Checks of the pipeline's <c>name</c>.</summary>
internal static partial class NameRules
{
    /// <summary>Letters, digits, '.', '_' and '-', up to 64 characters: safe in file names and metric labels.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    public static partial Regex Valid();

    /// <summary>A valid name made from a file name.</summary>
    public static string FromFileName(string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName);
        var cleaned = new string([.. stem.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-')]).Trim('-', '.', '_');
        cleaned = cleaned.Length > 64 ? cleaned[..64] : cleaned;
        return cleaned.Length == 0 ? "pipeline" : cleaned;
    }
}
