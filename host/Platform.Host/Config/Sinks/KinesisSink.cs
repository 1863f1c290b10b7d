using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Host.Config.Binding;
using Platform.Host.Config.Sources;
using Platform.Sinks.Kinesis;

namespace Platform.Host.Config.Sinks;

/// <summary>Window results to a Kinesis stream (<c>type: kinesis</c>): one JSON record per window, partition key = device id.</summary>
/// <param name="Stream">Stream name (<c>stream</c>, required).</param>
/// <param name="Aws">Region, endpoint, credentials, retries (<see cref="AwsConnectionConfig"/>).</param>
/// <param name="Concurrency">PutRecords calls in flight (<c>concurrency</c>, 1–64, default 4).</param>
/// <param name="MaxAttempts">Attempts per record before it goes to the dead letters (<c>max-attempts</c>, 1–100, default 10).</param>
internal sealed record KinesisSinkConfig(string Stream, AwsConnectionConfig Aws, int Concurrency, int MaxAttempts) : SinkConfig
{
    /// <summary>The YAML <c>type</c>.</summary>
    public const string TypeName = "kinesis";

    /// <inheritdoc/>
    public override string Type => TypeName;

    /// <summary>Builds the sink (reads credentials from the environment now).</summary>
    public ISink<WindowResult> CreateSink(SymbolTable symbols, IDeadLetterSink deadLetters) => new KinesisSinkOptions
    {
        StreamName = Stream,
        Client = Aws.ToOptions(),
        Concurrency = Concurrency,
        MaxAttempts = MaxAttempts,
        RetryBaseDelay = Aws.RetryBaseDelay,
        RetryMaxDelay = Aws.RetryMaxDelay,
    }.CreateSink<WindowResult, WindowResultJsonEncoder>(new WindowResultJsonEncoder(symbols), deadLetters);
}

/// <summary>Binds <c>type: kinesis</c> in <c>sinks</c>.</summary>
internal static class KinesisSink
{
    /// <summary>The registry entry.</summary>
    public static SinkKind Kind { get; } = new(KinesisSinkConfig.TypeName, Bind, Write);

    private static IEnumerable<KeyValuePair<string, string>> Write(SinkConfig config)
    {
        var k = (KinesisSinkConfig)config;
        return
        [
            ConfigYaml.Pair("stream", ConfigYaml.Text(k.Stream)),
            .. k.Aws.Write(),
            ConfigYaml.Pair("concurrency", ConfigYaml.Number(k.Concurrency)),
            ConfigYaml.Pair("max-attempts", ConfigYaml.Number(k.MaxAttempts)),
        ];
    }

    private static KinesisSinkConfig? Bind(MappingReader reader)
    {
        var errors = reader.Context.Errors.Count;
        var stream = reader.String("stream", requiredExample: "window-stats");
        if (stream is not null && !Sources.KinesisSource.StreamName().IsMatch(stream))
            reader.Context.Error(reader.Get("stream"), $"'stream' must be 1–128 letters, digits, '_', '-' or '.', got '{stream}'", "write e.g. 'stream: window-stats'");
        var aws = AwsConnectionConfig.Bind(reader);
        var concurrency = reader.Int32("concurrency", KinesisSinkOptions.DefaultConcurrency, 1, 64);
        var attempts = reader.Int32("max-attempts", KinesisSinkOptions.DefaultMaxAttempts, 1, 100);
        return reader.Context.Errors.Count == errors && stream is not null && aws is not null
            ? new KinesisSinkConfig(stream, aws, concurrency, attempts)
            : null;
    }
}
