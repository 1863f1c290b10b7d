using System.Text.RegularExpressions;
using DuckDB.NET.Data;

namespace Platform.Sinks.Alerts.Recording;

/// <summary>
/// Appends every alert to a DuckDB table (created if missing): <c>alert_key, alert_time, value, score,
/// expected_low, expected_high, message, severity, source</c>. One appender pass per batch.
/// </summary>
public sealed partial class DuckDbAlertRecorder : AlertRecorder
{
    private readonly DuckDBConnection _connection;
    private readonly string _table;

    /// <summary>Opens (creating folder, file and table as needed) <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The table name is not a plain SQL identifier.</exception>
    public DuckDbAlertRecorder(string path, string table = "alerts")
    {
        if (!Identifier().IsMatch(table)) throw new ArgumentException($"The alert table must be an SQL identifier (letters, digits, '_'), got '{table}'.", nameof(table));
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        _table = table;
        Name = $"duckdb {path} ({table})";
        _connection = new DuckDBConnection($"Data Source={path}");
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = $"""
            CREATE TABLE IF NOT EXISTS {table} (
              alert_key VARCHAR, alert_time TIMESTAMP, value DOUBLE, score DOUBLE,
              expected_low DOUBLE, expected_high DOUBLE, message VARCHAR, severity VARCHAR, source VARCHAR)
            """;
        create.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public override string Name { get; }

    /// <inheritdoc />
    protected override Task WriteAsync(IReadOnlyList<Alert> batch)
    {
        using var appender = _connection.CreateAppender(_table);
        foreach (var a in batch)
        {
            appender.CreateRow()
                .AppendValue(a.Key)
                .AppendValue((DateTime?)a.Time.UtcDateTime)
                .AppendValue((double?)a.Value)
                .AppendValue((double?)a.Score)
                .AppendValue((double?)a.ExpectedLow)
                .AppendValue((double?)a.ExpectedHigh)
                .AppendValue(a.Message)
                .AppendValue(a.Severity.ToString().ToLowerInvariant())
                .AppendValue(a.Source)
                .EndRow();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override void Close() => _connection.Dispose();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
