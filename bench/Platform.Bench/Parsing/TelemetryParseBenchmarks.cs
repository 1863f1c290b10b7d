using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using Platform.Connectors.Generator;
using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Formats;

namespace Platform.Bench.Parsing;

/// <summary>
/// telemetry-json: the standard telemetry NDJSON (100k devices, 4 sensor types, 5% vector payloads,
/// 0.1% malformed lines) parsed by <see cref="TelemetryNdjsonParser"/> and by System.Text.Json's
/// source-generated deserializer (baseline), one line at a time. The parser gets the input as the runtime
/// hands it over: chunks of about <see cref="ChunkBytes"/> cut at line ends, each into a recycled batch. The MB/s,
/// records/s and B/record columns are computed from the workload's size. The valid-only mix (the same generator
/// without malformed lines) shows what a valid record costs: the standard mix's few bytes per record are the
/// dead-letter reasons of its 0.1% malformed lines.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(TelemetryParseConfig))]
[BenchmarkCategory("parse")]
public class TelemetryParseBenchmarks
{
    /// <summary>Chunk size handed to the parser (DESIGN: chunks of 64–256 KB).</summary>
    public const int ChunkBytes = 128 * 1024;

    private byte[] _data = [];
    private (int Start, int Length)[] _chunks = [];
    private TelemetryNdjsonParser _parser = null!;
    private Batch<Telemetry> _batch = null!;
    private CountingDeadLetterSink _deadLetters = null!;

    /// <summary>Which workload: <c>standard</c> (0.1% malformed lines) or <c>valid-only</c>.</summary>
    [Params(TelemetryWorkload.StandardName, TelemetryWorkload.ValidOnlyName)]
    public string Mix { get; set; } = TelemetryWorkload.StandardName;

    [GlobalSetup]
    public void Setup()
    {
        _data = TelemetryWorkload.Named(Mix).Bytes;
        var chunks = new List<(int, int)>();
        for (var start = 0; start < _data.Length;)
        {
            var end = Math.Min(_data.Length, start + ChunkBytes);
            if (end < _data.Length) end = start + _data.AsSpan(start, end - start).LastIndexOf((byte)'\n') + 1;
            chunks.Add((start, end - start));
            start = end;
        }
        _chunks = [.. chunks];
        _parser = new TelemetryNdjsonParser(new SymbolTable());
        _batch = new BatchPool<Telemetry>(4096).Rent();
        _deadLetters = new CountingDeadLetterSink();
        // One pass interns every device id, so the measured passes are the steady state.
        Parser();
    }

    [Benchmark(Description = "TelemetryNdjsonParser")]
    public int Parser()
    {
        var records = 0;
        foreach (var (start, length) in _chunks)
        {
            _batch.Clear();
            _parser.Parse(_data.AsSpan(start, length), "bench", 0, start, _batch, _deadLetters);
            records += _batch.Count;
        }
        return records;
    }

    [Benchmark(Baseline = true, Description = "System.Text.Json source-gen")]
    public int SystemTextJson()
    {
        ReadOnlySpan<byte> rest = _data;
        var valid = 0;
        while (!rest.IsEmpty)
        {
            var n = rest.IndexOf((byte)'\n');
            var line = n < 0 ? rest : rest[..n];
            rest = n < 0 ? default : rest[(n + 1)..];
            if (line.IsEmpty) continue;
            try
            {
                var dto = JsonSerializer.Deserialize(line, TelemetryJsonContext.Default.TelemetryDto);
                if (dto?.DeviceId is not null && dto.Payload is not null) valid++;
            }
            catch (JsonException)
            {
                // a malformed line: the peer would dead-letter it
            }
        }
        return valid;
    }
}

/// <summary>The standard telemetry-json workload, generated once per process.</summary>
public sealed class TelemetryWorkload
{
    /// <summary>Name of <see cref="Standard"/>.</summary>
    public const string StandardName = "standard";

    /// <summary>Name of <see cref="ValidOnly"/>.</summary>
    public const string ValidOnlyName = "valid-only";

    private static readonly Lazy<TelemetryWorkload> StandardWorkload = new(() => new TelemetryWorkload(Options(0.001)));
    private static readonly Lazy<TelemetryWorkload> ValidOnlyWorkload = new(() => new TelemetryWorkload(Options(0)));

    private static TelemetryGeneratorOptions Options(double malformedShare) => new()
    {
        Events = 80_000,
        Devices = 100_000,
        VectorShare = 0.05,
        MalformedShare = malformedShare,
    };

    private TelemetryWorkload(TelemetryGeneratorOptions options)
    {
        Bytes = TelemetryGenerator.GenerateNdjson(options);
        Lines = Bytes.AsSpan().Count((byte)'\n');
    }

    /// <summary>80k lines of the standard mix (about 19 MB).</summary>
    public static TelemetryWorkload Standard => StandardWorkload.Value;

    /// <summary>The same mix without malformed lines.</summary>
    public static TelemetryWorkload ValidOnly => ValidOnlyWorkload.Value;

    /// <summary>The workload called <paramref name="name"/> (<see cref="StandardName"/> or <see cref="ValidOnlyName"/>).</summary>
    public static TelemetryWorkload Named(string name) => name == ValidOnlyName ? ValidOnly : Standard;

    /// <summary>The NDJSON bytes.</summary>
    public byte[] Bytes { get; }

    /// <summary>Lines in <see cref="Bytes"/>.</summary>
    public int Lines { get; }
}

/// <summary>Adds MB/s, records/s and bytes allocated per record to the summary.</summary>
public sealed class TelemetryParseConfig : ManualConfig
{
    public TelemetryParseConfig()
    {
        AddColumn(new ThroughputColumn(ThroughputColumn.Kind.MegabytesPerSecond));
        AddColumn(new ThroughputColumn(ThroughputColumn.Kind.MillionRecordsPerSecond));
        AddColumn(new ThroughputColumn(ThroughputColumn.Kind.AllocatedPerRecord));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
