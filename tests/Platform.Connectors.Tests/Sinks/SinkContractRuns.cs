using System.Globalization;
using DuckDB.NET.Data;
using Platform.Connectors.Tests.Infrastructure;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Sinks.Console;
using Platform.Sinks.DuckDb;
using Platform.Sinks.Null;
using Platform.Sinks.Warehouse;

namespace Platform.Connectors.Tests.Sinks;

public class DuckDbWindowSinkContractTests : SinkContractTests
{
    private string DbPath => Dir.File("out/contract.duckdb");

    protected override ISink<WindowResult> CreateSink() => new DuckDbUpsertSink<WindowResult, WindowStatsMapping>(
        new DuckDbTableSinkOptions { Path = DbPath, Mode = DuckDbWriteMode.Replace }, new WindowStatsMapping(Symbols));

    protected override long CountOf(ISink<WindowResult> sink) => ((DuckDbUpsertSink<WindowResult, WindowStatsMapping>)sink).RowsWritten;

    protected override Task<IReadOnlyList<SinkRow>?> ReadBackAsync(ISink<WindowResult> sink) =>
        Task.FromResult<IReadOnlyList<SinkRow>?>(DuckDbQueries.Rows(DbPath, "window_stats"));
}

public class ConsoleWindowSinkContractTests : SinkContractTests
{
    private readonly StringWriter _out = new();

    protected override ISink<WindowResult> CreateSink() => new ConsoleWindowSink(_out, Symbols);

    protected override long CountOf(ISink<WindowResult> sink) => ((ConsoleWindowSink)sink).RowsWritten;

    protected override Task<IReadOnlyList<SinkRow>?> ReadBackAsync(ISink<WindowResult> sink)
    {
        var rows = _out.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            var f = line.Split(' ');
            var start = DateTimeOffset.Parse(f[0], CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
            string Field(string name) => f.Single(x => x.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
            return new SinkRow(f[2], f[3], start, long.Parse(Field("count"), CultureInfo.InvariantCulture), double.Parse(Field("sum"), CultureInfo.InvariantCulture));
        }).ToList();
        return Task.FromResult<IReadOnlyList<SinkRow>?>(rows);
    }
}

public class NullSinkContractTests : SinkContractTests
{
    protected override ISink<WindowResult> CreateSink() => new NullSink<WindowResult>();

    protected override long CountOf(ISink<WindowResult> sink) => ((NullSink<WindowResult>)sink).Count;

    protected override Task<IReadOnlyList<SinkRow>?> ReadBackAsync(ISink<WindowResult> sink) => Task.FromResult<IReadOnlyList<SinkRow>?>(null);
}

/// <summary>Reads a DuckDB file back with a fresh connection.</summary>
internal static class DuckDbQueries
{
    public static List<SinkRow> Rows(string path, string table)
    {
        using var connection = new DuckDBConnection("Data Source=" + path);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT device_id, sensor_type, epoch_ms(window_start), count, sum FROM \"{table}\"";
        using var reader = command.ExecuteReader();
        var rows = new List<SinkRow>();
        while (reader.Read()) rows.Add(new SinkRow(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetDouble(4)));
        return rows;
    }

    public static (long Rows, long SumCount) Totals(string path, string table)
    {
        using var connection = new DuckDBConnection("Data Source=" + path);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*), coalesce(sum(count), 0)::BIGINT FROM \"{table}\"";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
