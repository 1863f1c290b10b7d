using Platform.Samples.Embedded;

namespace Platform.Integration.Tests;

public class EmbeddedExampleTests
{
    [Fact]
    public async Task RunAsync_GeneratedTelemetry_WindowCountsAddUpToParsedRecords()
    {
        using var dir = new TempDir();
        var db = dir.File("embedded.duckdb");

        var result = await EmbeddedExample.RunAsync(db, events: 50_000);

        var (rows, records) = DuckDbQueries.WindowTotals(db);
        Assert.True(result.RecordsIn > 49_000, $"parsed {result.RecordsIn}");
        Assert.Equal(50_000, result.RecordsIn + result.Rejected);
        Assert.Equal(result.RecordsIn, records);
        Assert.Equal(result.RecordsOut, rows);
    }
}
