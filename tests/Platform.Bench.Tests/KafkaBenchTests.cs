using Platform.Bench.Kafka;

namespace Platform.Bench.Tests;

/// <summary>
/// The Kafka benchmark's quick run on librdkafka's mock cluster: every engine's output topic is read back and checked
/// against the input (outputs, not speed).
/// </summary>
public sealed class KafkaBenchTests
{
    [Fact]
    public async Task Quick_run_writes_the_expected_output_of_every_engine()
    {
        var settings = KafkaBenchSettings.Parse(["--quick"]);
        var rounds = await KafkaBench.MeasureAsync(settings, TextWriter.Null);

        var round = Assert.Single(rounds);
        Assert.Equal(["raw", "platform", "streamiz"], round.Select(r => r.Engine));
        Assert.All(round, r => Assert.Null(r.Problem));
        // raw: one message per input record.
        Assert.Equal(settings.Records, round[0].Output);
        // platform: one row per closed window: 200 devices × 2 sensors × 9 windows (100 s of events, 5 s allowed lateness).
        Assert.Equal(settings.Devices * 2 * 9, round[1].Output);
        // streamiz: at least one update per window (10 windows per device × sensor, the last one still open).
        Assert.True(round[2].Output >= settings.Devices * 2 * 10, $"streamiz wrote {round[2].Output} updates");
        Assert.Contains("| platform |", KafkaBench.Table(settings, rounds), StringComparison.Ordinal);
    }
}
