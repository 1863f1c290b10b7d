using DuckDB.NET.Data;

namespace Platform.Integration.Tests;

internal static class DuckDbQueries
{
    /// <summary>(rows, sum of count) of a window table.</summary>
    public static (long Rows, long Records) WindowTotals(string path, string table = "window_stats")
    {
        using var connection = new DuckDBConnection($"Data Source={path};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*), coalesce(sum(count), 0)::BIGINT FROM {table}";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
