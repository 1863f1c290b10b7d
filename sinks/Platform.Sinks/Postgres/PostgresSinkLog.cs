using Microsoft.Extensions.Logging;

namespace Platform.Sinks.Postgres;

/// <summary>The PostgreSQL sink's log events. Never the connection string's secrets: only the sink's name, table and the error.</summary>
internal static partial class PostgresSinkLog
{
    [LoggerMessage(EventId = 6201, Level = LogLevel.Information, Message = "PostgreSQL sink {Sink}: created table {Table}")]
    public static partial void Created(ILogger logger, string sink, string table);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Information, Message = "PostgreSQL sink {Sink}: added columns {Columns} to {Table}")]
    public static partial void AddedColumns(ILogger logger, string sink, string table, string columns);

    [LoggerMessage(EventId = 6203, Level = LogLevel.Warning, Message = "PostgreSQL sink {Sink}: writing a batch failed ({ErrorType}: {Error}); retry {Attempt} in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string sink, string errorType, string error, int attempt, double delayMs);
}
