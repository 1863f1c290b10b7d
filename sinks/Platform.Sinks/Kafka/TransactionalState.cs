namespace Platform.Sinks.Kafka;

/// <summary>Where a <see cref="TransactionalKafkaProducerSession"/> is in the two-phase commit protocol.</summary>
public enum TransactionalState
{
    /// <summary>Not opened yet: no transactional call made.</summary>
    Created,
    /// <summary>A transaction is open and takes this checkpoint's records.</summary>
    InTransaction,
    /// <summary>A barrier flushed every record of the transaction (and sent its offsets): it waits for the checkpoint to complete.</summary>
    PreCommitted,
    /// <summary>The transaction was aborted (failed checkpoint or shutdown); a new one begins before the next record.</summary>
    Aborted,
    /// <summary>A fatal producer error (fenced by a newer producer with the same transactional.id): the session writes no more.</summary>
    Failed,
    /// <summary>Disposed.</summary>
    Closed,
}
