using Microsoft.Extensions.Logging;
using Platform.Sinks.Aws;

namespace Platform.Sinks.EventBridge;

/// <summary>The EventBridge sink's log events.</summary>
internal static partial class EventBridgeSinkLog
{
    [LoggerMessage(EventId = 6201, Level = LogLevel.Warning, Message = "EventBridge sink {Sink}: {Failed} of {Sent} entries failed ({ErrorType}); retry {Attempt} in {DelayMs} ms")]
    public static partial void PartialFailure(ILogger logger, string sink, int failed, int sent, string errorType, int attempt, double delayMs);

    [LoggerMessage(EventId = 6202, Level = LogLevel.Error, Message = "EventBridge sink {Sink}: record {Ordinal} dead-lettered: {Reason}")]
    public static partial void DeadLettered(ILogger logger, string sink, long ordinal, string reason);

    [LoggerMessage(EventId = 6203, Level = LogLevel.Warning, Message = "EventBridge sink {Sink}: PutEvents failed as a whole ({ErrorType}); retry {Attempt} in {DelayMs} ms")]
    public static partial void CallFailed(ILogger logger, string sink, string errorType, int attempt, double delayMs);

    /// <summary>These events for one sink, as the shared send loop reports them.</summary>
    internal sealed class Events(ILogger logger, string sink) : IAwsBatchSinkEvents
    {
        public void CallFailed(string errorType, int attempt, double delayMs) => EventBridgeSinkLog.CallFailed(logger, sink, errorType, attempt, delayMs);

        public void PartialFailure(int failed, int sent, string errorType, int attempt, double delayMs) =>
            EventBridgeSinkLog.PartialFailure(logger, sink, failed, sent, errorType, attempt, delayMs);

        public void DeadLettered(long ordinal, string reason) => EventBridgeSinkLog.DeadLettered(logger, sink, ordinal, reason);
    }
}
