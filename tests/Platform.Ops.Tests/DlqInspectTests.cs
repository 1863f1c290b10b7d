using System.Text;
using Platform.Host.Dlq;
using Platform.Sinks.DeadLetter;
using Spectre.Console;

namespace Platform.Ops.Tests;

public class DlqInspectTests
{
    [Fact]
    public async Task Inspect_GeneratedDeadLetterFile_CountsReasonsAndShowsSamples()
    {
        using var dir = new TempDir();
        var path = dir.File("pipeline.dlq.ndjson");
        await using (var sink = new DeadLetterFileSink(new DeadLetterFileOptions { Path = path }))
        {
            for (var i = 0; i < 7; i++) sink.Write("generator", 0, 100 + i, "invalid JSON", Encoding.UTF8.GetBytes("{\"deviceId\":\"d" + i + "\",\"value\":\n"));
            for (var i = 0; i < 2; i++) sink.Write("kafka:telemetry", 3, 9000 + i, "missing field 'timestamp'", Encoding.UTF8.GetBytes("{\"deviceId\":\"x\"}"));
            sink.Write("generator", 1, 5, "late record", [0x01, 0x02]);
        }
        await File.AppendAllTextAsync(path, "not json at all\n");

        var report = DeadLetterReport.Read(path, samplesPerReason: 2);

        Assert.Equal(10, report.Total);
        Assert.Equal(1, report.Unreadable);
        Assert.Equal(new[] { "invalid JSON", "missing field 'timestamp'", "late record" }, report.Reasons.Select(r => r.Reason));
        Assert.Equal(new long[] { 7, 2, 1 }, report.Reasons.Select(r => r.Count));
        var invalid = report.Reasons[0];
        Assert.Equal(2, invalid.Samples.Count);
        Assert.Equal(100, invalid.Samples[0].Position);
        Assert.Equal("{\"deviceId\":\"d0\",\"value\":\\n", invalid.Samples[0].Preview());
        Assert.Equal(new[] { "kafka:telemetry" }, report.Reasons[1].Sources);

        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        var exit = DlqCommand.Inspect(path, 2, console);

        Assert.Equal(0, exit);
        var text = output.ToString();
        Assert.Contains("10 dead letter(s), 3 reason(s)", text, StringComparison.Ordinal);
        Assert.Contains("1 unreadable line(s)", text, StringComparison.Ordinal);
        Assert.Contains("missing field 'timestamp'", text, StringComparison.Ordinal);
        Assert.Contains("70.0 %", text, StringComparison.Ordinal);
        Assert.Contains("9000", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_MissingFile_ExitsTwo()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No });

        Assert.Equal(2, DlqCommand.Inspect("/nonexistent/dlq.ndjson", 3, console));
    }
}
