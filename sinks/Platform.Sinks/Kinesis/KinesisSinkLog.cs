using Microsoft.Extensions.Logging;
using Platform.Sinks.Aws;

namespace Platform.Sinks.Kinesis;

/// <summary>The Kinesis sink's log events.</summary>
internal static partial class KinesisSinkLog
{
    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Kinesis sink {Sink}: {Failed} of {Sent} entries failed ({ErrorType}); retry {Attempt} in {DelayMs} ms")]
    public static partial void PartialFailure(ILogger logger, string sink, int failed, int sent, string errorType, int attempt, double delayMs);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Error, Message = "Kinesis sink {Sink}: record {Ordinal} dead-lettered: {Reason}")]
    public static partial void DeadLettered(ILogger logger, string sink, long ordinal, string reason);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Warning, Message = "Kinesis sink {Sink}: PutRecords failed as a whole ({ErrorType}); retry {Attempt} in {DelayMs} ms")]
    public static partial void CallFailed(ILogger logger, string sink, string errorType, int attempt, double delayMs);

    /// <summary>These events for one sink, as the shared send loop reports them.</summary>
    internal sealed class Events(ILogger logger, string sink) : IAwsBatchSinkEvents
    {
        public void CallFailed(string errorType, int attempt, double delayMs) => KinesisSinkLog.CallFailed(logger, sink, errorType, attempt, delayMs);

        public void PartialFailure(int failed, int sent, string errorType, int attempt, double delayMs) =>
            KinesisSinkLog.PartialFailure(logger, sink, failed, sent, errorType, attempt, delayMs);

        public void DeadLettered(long ordinal, string reason) => KinesisSinkLog.DeadLettered(logger, sink, ordinal, reason);
    }
}
