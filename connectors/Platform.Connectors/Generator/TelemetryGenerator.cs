using System.Globalization;
using System.Text;

namespace Platform.Connectors.Generator;

/// <summary>
/// Writes seeded telemetry NDJSON in the seed schema (002 §3): one JSON object per line with
/// <c>deviceId</c>, <c>timestamp</c> (ISO-8601 or epoch ms), <c>sensorType</c>, <c>payload</c>
/// (<c>value</c>+<c>unit</c> or <c>x</c>/<c>y</c>/<c>z</c>+<c>unit</c>), <c>correlationId</c> and
/// <c>location{lat,lon}</c>; plus a configurable share of malformed lines and labelled anomalies.
/// Deterministic: the same options give the same bytes however the output is split into buffers.
/// Writes straight into spans and allocates nothing per line. Not thread-safe.
/// </summary>
public sealed partial class TelemetryGenerator
{
    /// <summary>No line is longer than this (newline included); <see cref="Fill"/> needs at least this much room.</summary>
    public const int MaxLineBytes = 512;

    /// <summary>Labels kept in memory at most; further anomalies are still injected and counted.</summary>
    public const int MaxLabels = 1_000_000;

    private readonly TelemetryGeneratorOptions _options;
    private readonly List<AnomalyLabel> _labels = [];

    /// <summary>Creates a generator at the first line of the stream <paramref name="options"/> describe.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public TelemetryGenerator(TelemetryGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        InitLines(options);
    }

    /// <summary>The options this generator follows.</summary>
    public TelemetryGeneratorOptions Options => _options;

    /// <summary>Lines written so far (valid + malformed).</summary>
    public long Lines { get; private set; }

    /// <summary>Well-formed records written so far.</summary>
    public long ValidRecords { get; private set; }

    /// <summary>Malformed lines written so far.</summary>
    public long MalformedLines { get; private set; }

    /// <summary>Anomalies injected so far.</summary>
    public long Anomalies { get; private set; }

    /// <summary>Late records written so far (see <see cref="TelemetryGeneratorOptions.LateShare"/>).</summary>
    public long LateRecords { get; private set; }

    /// <summary>Bytes written so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>All counters at once.</summary>
    public TelemetryGeneratorStats Stats => new(Lines, ValidRecords, MalformedLines, Anomalies, LateRecords, Bytes);

    /// <summary>True when a bounded stream (<see cref="TelemetryGeneratorOptions.Events"/> &gt; 0) has written all its lines.</summary>
    public bool IsComplete => _options.Events > 0 && Lines >= _options.Events;

    /// <summary>The injected anomalies so far, in order (at most <see cref="MaxLabels"/>).</summary>
    public IReadOnlyList<AnomalyLabel> Labels => _labels;

    /// <summary>
    /// Writes as many whole lines as fit into <paramref name="destination"/> (while at least
    /// <see cref="MaxLineBytes"/> remain), at most <paramref name="maxLines"/>, and not past the end of a bounded stream.
    /// Returns the bytes written (0 when complete or when the span is shorter than <see cref="MaxLineBytes"/>).
    /// </summary>
    public int Fill(Span<byte> destination, long maxLines = long.MaxValue)
    {
        var remainingLines = _options.Events > 0 ? Math.Min(maxLines, _options.Events - Lines) : maxLines;
        var pos = 0;
        while (remainingLines > 0 && destination.Length - pos >= MaxLineBytes)
        {
            pos += WriteLine(destination[pos..]);
            remainingLines--;
        }
        Bytes += pos;
        return pos;
    }

    /// <summary>Writes the whole (bounded) stream to <paramref name="stream"/>; returns the bytes written.</summary>
    /// <exception cref="InvalidOperationException">The stream is unbounded (<see cref="TelemetryGeneratorOptions.Events"/> = 0).</exception>
    public async Task<long> WriteToAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (_options.Events == 0) throw new InvalidOperationException("An unbounded generator (Events = 0) cannot be written to a stream; set Events.");
        var buffer = new byte[1 << 20];
        long total = 0;
        while (!IsComplete)
        {
            var n = Fill(buffer);
            await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            total += n;
        }
        return total;
    }

    /// <summary>
    /// Generates the whole stream into one array (for benchmarks and tests). Bounded streams only,
    /// and under 2 GiB of output (about 10 M lines); larger workloads use <see cref="TelemetryGeneratorSource"/> or <see cref="WriteToAsync"/>.
    /// </summary>
    public static byte[] GenerateNdjson(TelemetryGeneratorOptions options) => GenerateNdjson(options, out _);

    /// <summary>Like <see cref="GenerateNdjson(TelemetryGeneratorOptions)"/>, also returning the generator (its counters and labels).</summary>
    public static byte[] GenerateNdjson(TelemetryGeneratorOptions options, out TelemetryGenerator generator)
    {
        generator = new TelemetryGenerator(options);
        if (options.Events == 0) throw new ArgumentException("GenerateNdjson needs a bounded stream (Events > 0).", nameof(options));
        // Size the array from the stream's own first lines, so it rarely grows and is copied once at most.
        var sample = new TelemetryGenerator(options);
        var sampleBytes = sample.Fill(new byte[256 * 1024]);
        var estimate = Math.Min((long)Array.MaxLength, (long)(options.Events * (sampleBytes / (double)sample.Lines) * 1.02) + (1 << 20));
        var buffer = GC.AllocateUninitializedArray<byte>((int)estimate);
        var length = 0;
        while (!generator.IsComplete)
        {
            if (buffer.Length - length < MaxLineBytes)
            {
                if (buffer.Length == Array.MaxLength) throw new InvalidOperationException($"The generated data exceeds {Array.MaxLength} bytes; write it to a file or use TelemetryGeneratorSource.");
                var bigger = GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, buffer.Length + (long)buffer.Length / 4 + MaxLineBytes));
                buffer.AsSpan(0, length).CopyTo(bigger);
                buffer = bigger;
            }
            length += generator.Fill(buffer.AsSpan(length));
        }
        return length == buffer.Length ? buffer : buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>The device id of device <paramref name="index"/> ("dev-000042").</summary>
    public string DeviceIdOf(int index) => "dev-" + index.ToString(CultureInfo.InvariantCulture).PadLeft(_deviceDigits, '0');

    /// <summary>
    /// Writes the labels of the anomalies injected so far as CSV: header
    /// <c>deviceId,sensorType,timestamp,kind</c>, timestamp ISO-8601 UTC with ms, kind <c>spike</c> or <c>level_shift</c>.
    /// </summary>
    public void WriteLabels(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write("deviceId,sensorType,timestamp,kind\n");
        var line = new StringBuilder(96);
        foreach (var label in _labels)
        {
            line.Clear()
                .Append(DeviceIdOf(label.Device)).Append(',')
                .Append(_options.Sensors[label.Sensor].Name).Append(',')
                .Append(DateTimeOffset.FromUnixTimeMilliseconds(label.Timestamp).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)).Append(',')
                .Append(label.Kind == AnomalyKind.Spike ? "spike" : "level_shift")
                .Append('\n');
            writer.Write(line);
        }
    }

    /// <summary>Writes the labels CSV (see <see cref="WriteLabels(TextWriter)"/>) to a file, creating its directory.</summary>
    public void WriteLabels(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        WriteLabels(writer);
    }
}
