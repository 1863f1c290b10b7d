using System.Globalization;
using DuckDB.NET.Data;

namespace Platform.Tests.Shared;

/// <summary>Reads back what a test pipeline wrote to the DuckDB table <c>window_stats</c>.</summary>
internal static class WindowStatsDb
{
    /// <summary>The records the windows counted: the sum of <c>count</c> over every row (0 for an empty table).</summary>
    public static long CountSum(string database)
    {
        using var connection = new DuckDBConnection($"Data Source={database};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT CAST(coalesce(sum(count), 0) AS BIGINT) FROM window_stats";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
