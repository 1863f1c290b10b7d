using Platform.Engine.Records;
using Platform.Engine.Contracts;
using Platform.Engine.Symbols;
using Platform.Operators.Anomaly;

namespace Platform.Operators.Tests.Anomaly;

public sealed class VectorTests
{
    private static Telemetry Reading(int i, double x, double y, double z) => new()
    {
        Device = new Symbol(1),
        Sensor = new Symbol(2),
        Timestamp = i * 60_000L,
        X = x,
        Y = y,
        Z = z,
        Value = Math.Sqrt(x * x + y * y + z * z),
        Flags = TelemetryFlags.Vector,
    };

    private static ListOutput Run(bool scoreAxes)
    {
        // The vector turns from the x axis to the y axis at point 500: its magnitude does not change.
        var rng = new Random(3);
        var records = Enumerable.Range(0, 600).Select(i =>
        {
            var n = 0.01 * (rng.NextDouble() - 0.5);
            return i < 500 ? Reading(i, 1 + n, 0, 0) : Reading(i, 0, 1 + n, 0);
        }).ToArray();
        var op = new AnomalyDetectorOperator<Telemetry, SensorKeyOf, ReadingTime, TelemetryVectorValue>(
            new AnomalyDetectorOptions { ScoreAxes = scoreAxes, OrderByWatermark = false });
        var output = new ListOutput();
        op.OnRecords(records, output);
        return output;
    }

    [Fact]
    public void OnRecords_ScoreAxesOn_DetectsTurnThatKeepsMagnitude()
    {
        var output = Run(scoreAxes: true);
        var turn = output.Items[500];
        Assert.True(turn.Axis is 1 or 2, $"axis {turn.Axis}");
        Assert.True(turn.Score > output.Items[200..500].ToArray().Max(s => s.Score), $"turn scored {turn.Score}");
    }

    [Fact]
    public void OnRecords_ScoreAxesOff_ScoresMagnitudeOnly()
    {
        var output = Run(scoreAxes: false);
        Assert.All(output.Items.ToArray(), s => Assert.Equal(0, s.Axis));
        Assert.True(output.Items[500].Score < 0.999, $"magnitude alone scored {output.Items[500].Score}");
    }

    private readonly struct SensorKeyOf : IKeySelector<Telemetry>
    {
        public long KeyOf(in Telemetry record) => ((long)record.Device.Id << 32) | (uint)record.Sensor.Id;
    }

    private readonly struct ReadingTime : IEventTimeSelector<Telemetry>
    {
        public long TimeOf(in Telemetry record) => record.Timestamp;
    }
}
