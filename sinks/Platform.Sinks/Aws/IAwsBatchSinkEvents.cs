namespace Platform.Sinks.Aws;

/// <summary>The log events of a batching AWS sink, each service's own (its <c>…SinkLog</c>).</summary>
internal interface IAwsBatchSinkEvents
{
    /// <summary>The whole call failed with a transient error and is sent again after <paramref name="delayMs"/>.</summary>
    void CallFailed(string errorType, int attempt, double delayMs);

    /// <summary><paramref name="failed"/> of <paramref name="sent"/> entries failed retryably and are sent again after <paramref name="delayMs"/>.</summary>
    void PartialFailure(int failed, int sent, string errorType, int attempt, double delayMs);

    void DeadLettered(long ordinal, string reason);
}
