using System.Collections.Concurrent;
using Polly;
using Polly.Retry;

namespace Platform.Connectors.Kafka;

/// <summary>
/// Partitions held at a message whose value is not ready (<see cref="KafkaValueNotReadyException"/>: a schema to
/// fetch, a Schema Registry outage). While a partition is held, the poll thread reads none of it from that message
/// on, so nothing after it is processed, checkpointed past or committed; the other partitions go on. Off the poll
/// thread, a Polly retry with exponential backoff and jitter prepares the value (<see cref="IKafkaValueTranscoder.PrepareAsync"/>)
/// until it succeeds or the group stops; then the poll thread reads the partition again from the held message.
/// </summary>
internal sealed class KafkaValueHolds(IKafkaValueTranscoder values, string name, Action<string>? log) : IDisposable
{
    /// <summary>First retry delay; it doubles (with jitter) up to <see cref="MaxDelay"/>.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest delay between two attempts.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<KafkaPartitionTask> _ready = new();
    private long _retries;

    /// <summary>Attempts that failed and were retried (all holds).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>True when some held partition may be read again (checked by the poll thread on its linger tick).</summary>
    public bool AnyReady => !_ready.IsEmpty;

    /// <summary>Poll thread: holds <paramref name="task"/> at <paramref name="offset"/> and starts preparing <paramref name="value"/>.</summary>
    public void Hold(KafkaPartitionTask task, long offset, ReadOnlySpan<byte> value, string why)
    {
        task.HeldAt = offset;
        task.HoldReleased = false;
        log?.Invoke($"{name}: {task.Source.Name} holds at offset {offset} ({why}); nothing from there on is processed or committed until it is ready, retrying with backoff");
        var copy = value.ToArray();
        _ = Task.Run(() => PrepareAsync(task, offset, copy));
    }

    private async Task PrepareAsync(KafkaPartitionTask task, long offset, byte[] value)
    {
        var token = _stop.Token;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = FirstDelay,
                MaxDelay = MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is KafkaValueNotReadyException && !token.IsCancellationRequested),
                OnRetry = args =>
                {
                    var n = Interlocked.Increment(ref _retries);
                    if (args.AttemptNumber < 3 || args.AttemptNumber % 10 == 0)
                        log?.Invoke($"{name}: {task.Source.Name} at offset {offset} still not ready (attempt {args.AttemptNumber + 1}: {args.Outcome.Exception?.Message}); next try in {args.RetryDelay.TotalMilliseconds:0} ms");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        try
        {
            await pipeline.ExecuteAsync(static async (state, ct) => await state.values.PrepareAsync(state.value, ct), (values, value: (ReadOnlyMemory<byte>)value), token);
            log?.Invoke($"{name}: {task.Source.Name} at offset {offset} is ready; reading on from there");
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return; // the group is stopping: the held offset was never checkpointed past, the next owner reads it
        }
        catch (Exception e) when (e is not KafkaValueNotReadyException)
        {
            // Not a passing fault: read the message again and let the transcoder judge it (a dead letter, or a failure).
            log?.Invoke($"{name}: {task.Source.Name} at offset {offset}: preparing failed ({e.Message}); reading it again");
        }
        _ready.Enqueue(task);
    }

    /// <summary>Poll thread: the held tasks that may be read again (each is released: it drops messages until the held one comes back).</summary>
    public IEnumerable<KafkaPartitionTask> TakeReady()
    {
        while (_ready.TryDequeue(out var task))
        {
            task.HoldReleased = true;
            yield return task;
        }
    }

    /// <summary>Stops every retry.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
