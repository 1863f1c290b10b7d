using Microsoft.Extensions.Logging;

namespace Platform.Sinks.EventBridge;

/// <summary>The EventBridge sink's log events.</summary>
internal static partial class EventBridgeSinkLog
{
    [LoggerMessage(EventId = 6201, Level = LogLevel.Warning, Message = "EventBridge sink {Sink}: {Failed} of {Sent} entries failed ({ErrorType}); retry {Attempt} in {DelayMs} ms")]
    public static partial void PartialFailure(ILogger logger, string sink, int failed, int sent, string errorType, int attempt, double delayMs);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Error, Message = "EventBridge sink {Sink}: record {Ordinal} dead-lettered: {Reason}")]
    public static partial void DeadLettered(ILogger logger, string sink, long ordinal, string reason);
}
