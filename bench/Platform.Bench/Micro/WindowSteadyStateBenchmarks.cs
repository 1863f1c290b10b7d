using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Platform.Bench.Workloads;
using Platform.Engine.Records;
using Platform.Engine.Symbols;
using Platform.Engine.Windows;
using Platform.Host.Benchmarks;

namespace Platform.Bench.Micro;

/// <summary>
/// The iot-anomaly keyed stage in the steady state: 400 k keys (100 k devices × 4 sensors), 100 k records per second of
/// event time, 10 s tumbling windows, so one op is one window's worth of records (1 M, in 2,048-record batches with a
/// watermark 5 s behind after each) and the firing of the window before it. The operators are warmed up over three
/// windows first, so slots, map, heap, sketch arena and history table are at their peak: the memory diagnoser's
/// "Allocated" is the steady state's (0 B expected). <c>-- micro --filter '*WindowSteadyState*'</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(OneWindowPerInvocation))]
public class WindowSteadyStateBenchmarks
{
    /// <summary>In process, one op (a 1 M-record window) per invocation, a few iterations: each op is long already.</summary>
    private sealed class OneWindowPerInvocation : ManualConfig
    {
        public OneWindowPerInvocation() => AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithWarmupCount(2)
            .WithIterationCount(8));
    }

    private const int Keys = 400_000;
    private const int PerWindow = 1_000_000;
    private const long WindowMs = 10_000;
    private const long LatenessMs = 5_000;
    private readonly Telemetry[] _records = new Telemetry[PerWindow];
    private readonly long[] _times = new long[PerWindow];
    private long _windowsDone;
    private WindowStatsOperator<Telemetry, TelemetrySensorKey, TelemetryEventTime, TelemetryValue> _windows = null!;
    private WindowZScoreOperator _scored = null!;
    private readonly CountingOutput<WindowResult> _windowOut = new();
    private readonly CountingOutput<ScoredWindow> _scoredOut = new();

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        for (var i = 0; i < PerWindow; i++)
        {
            var k = random.Next(Keys);
            _times[i] = t0 + i / 100; // 10 µs apart
            _records[i] = new Telemetry
            {
                Device = new Symbol(k / 4 + 1),
                Sensor = new Symbol(k % 4 + 1),
                Value = 20 + 5 * (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5),
            };
        }

        _windows = new(new WindowOperatorOptions { Spec = WindowSpec.Tumbling(WindowMs) });
        _scored = new WindowZScoreOperator(IotJobSettings.Default);
        for (var w = 0; w < 3; w++)
        {
            Windows();
            WindowsZScore();
        }
    }

    /// <summary>Window statistics alone (count, sum, min, max, mean, variance, p50/p95/p99).</summary>
    [Benchmark(OperationsPerInvoke = PerWindow)]
    public long Windows()
    {
        var shift = Next();
        for (var i = 0; i < PerWindow; i += 2048)
        {
            var n = Math.Min(2048, PerWindow - i);
            var batch = Stamp(i, n, shift);
            _windows.OnRecords(batch, _windowOut);
            _windows.OnWatermark(_times[i + n - 1] + shift - LatenessMs, _windowOut);
        }
        return _windowOut.Count;
    }

    /// <summary>Window statistics and the z-score per key of each fired window (the bench job's keyed stage).</summary>
    [Benchmark(OperationsPerInvoke = PerWindow)]
    public long WindowsZScore()
    {
        var shift = Next();
        for (var i = 0; i < PerWindow; i += 2048)
        {
            var n = Math.Min(2048, PerWindow - i);
            var batch = Stamp(i, n, shift);
            _scored.OnRecords(batch, _scoredOut);
            _scored.OnWatermark(_times[i + n - 1] + shift - LatenessMs, _scoredOut);
        }
        return _scoredOut.Count;
    }

    /// <summary>The time shift of the next window's pass (each benchmark keeps its own clock moving forward).</summary>
    private long Next() => (_windowsDone++ + 1) * WindowMs * 4;

    private ReadOnlySpan<Telemetry> Stamp(int from, int n, long shift)
    {
        var span = _records.AsSpan(from, n);
        for (var j = 0; j < n; j++) span[j].Timestamp = _times[from + j] + shift;
        return span;
    }
}
