using BenchmarkDotNet.Attributes;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Operators.Anomaly;

namespace Platform.Bench.Anomaly;

/// <summary>
/// Anomaly operator throughput: records/s through <see cref="AnomalyDetectorOperator{T,TKey,TTime,TValue}"/>
/// per detector and for the ensemble, against "off" (the same keyed loop emitting a zero score), in one run.
/// 100 keys, a noisy daily sine at 1-minute spacing, batches of 1 000, watermark after each batch.
/// <c>dotnet run -c Release --project bench/Platform.Bench -- micro --filter '*AnomalyDetector*'</c>
/// </summary>
[MemoryDiagnoser]
public class AnomalyDetectorBenchmarks
{
    private const int Keys = 100;
    private const int BatchSize = 1000;
    private const int Batches = 20;

    private readonly ScalarReading[] _batch = new ScalarReading[BatchSize];
    private readonly NullOutput _output = new();
    private IKeyedOperator<ScalarReading, AnomalyScore> _operator = null!;
    private Random _rng = null!;
    private long _t;

    [Params("off", "robustz", "ewma", "seasonal", "spectral", "cusum", "iforest", "ensemble")]
    public string Detector { get; set; } = "ensemble";

    [GlobalSetup]
    public void Setup()
    {
        _rng = new Random(42);
        _operator = Detector == "off"
            ? new OffOperator()
            : new AnomalyDetectorOperator<ScalarReading, ScalarReadingKey, ScalarReadingTime, ScalarReadingValue>(new AnomalyDetectorOptions { Detectors = AnomalyDetectorNames.Parse(Detector) });
        for (var i = 0; i < 50; i++) Feed(); // warm every key's state past its windows
    }

    [Benchmark(OperationsPerInvoke = BatchSize * Batches)]
    public void Score()
    {
        for (var b = 0; b < Batches; b++) Feed();
    }

    private void Feed()
    {
        for (var i = 0; i < BatchSize; i++)
        {
            var minute = _t / Keys;
            _batch[i] = new ScalarReading
            {
                Key = _t % Keys,
                Time = minute * 60_000,
                Value = 50 + 20 * Math.Sin(2 * Math.PI * minute / 1440) + _rng.NextDouble(),
            };
            _t++;
        }
        _operator.OnRecords(_batch, _output);
        _operator.OnWatermark(_batch[^1].Time, _output);
    }

    private sealed class NullOutput : IBatchOutput<AnomalyScore>
    {
        public double Sum;

        public void Emit(in AnomalyScore record) => Sum += record.Score;
    }

    /// <summary>Detection off: the same per-record dictionary lookup and emit, no detectors.</summary>
    private sealed class OffOperator : IKeyedOperator<ScalarReading, AnomalyScore>
    {
        private readonly Dictionary<long, long> _seen = [];

        public void OnRecords(ReadOnlySpan<ScalarReading> input, IBatchOutput<AnomalyScore> output)
        {
            foreach (ref readonly var r in input)
            {
                ref var n = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_seen, r.Key, out _);
                n++;
                output.Emit(new AnomalyScore { Key = r.Key, Timestamp = r.Time, Value = r.Value });
            }
        }

        public void OnWatermark(long watermark, IBatchOutput<AnomalyScore> output) { }

        public void Snapshot(System.Buffers.IBufferWriter<byte> writer) { }

        public void Restore(System.Buffers.ReadOnlySequence<byte> snapshot) { }
    }
}
