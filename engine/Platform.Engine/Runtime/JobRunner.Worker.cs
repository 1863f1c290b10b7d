using System.Diagnostics;
using Platform.Engine.Batching;
using Platform.Engine.Checkpoints;
using Platform.Engine.Contracts;
using Platform.Engine.Tracing;

namespace Platform.Engine.Runtime;

internal sealed partial class JobRunner<T, TTime, TKey, TOut>
{
    /// <summary>
    /// One worker: parses chunks, runs the fused stateless operators, keeps records of its own keys
    /// (no hand-off) and sends the rest to their owners; runs the keyed operator over the records
    /// it owns. Its state is touched only by its own sequential loop, so it needs no locks.
    /// </summary>
    private sealed class Worker
    {
        private static readonly TimeSpan IdleTick = TimeSpan.FromMilliseconds(100);

        private readonly JobRunner<T, TTime, TKey, TOut> _job;
        private readonly int _index;
        private readonly IKeyedOperator<T, TOut> _operator;
        private readonly OutputCollector<TOut> _output;
        private readonly Batch<T>?[] _outbound;
        private readonly long[] _senderWatermark;
        private readonly bool[] _senderDone;
        private readonly ChannelWaiter<Exchange<T>, SourceItem> _wait;
        private readonly bool[] _barrierFrom;
        private readonly Queue<Exchange<T>> _held = new();
        private long _aligning;
        private long _alignStarted;
        private readonly BatchAppender _appender = new();
        private long _announced = long.MinValue;
        private long _fired = long.MinValue;
        private bool _chunksDone;

        /// <summary>This worker took its own barrier and reads no chunks until its checkpoint is written.</summary>
        private bool Blocked => _aligning != 0 && _barrierFrom[_index];

        public Worker(JobRunner<T, TTime, TKey, TOut> job, int index)
        {
            _job = job;
            _index = index;
            _operator = job._operatorFactory();
            _output = new OutputCollector<TOut>(job._outputPool);
            _outbound = new Batch<T>?[job._workerCount];
            _senderWatermark = new long[job._workerCount];
            Array.Fill(_senderWatermark, long.MinValue);
            _senderDone = new bool[job._workerCount];
            _barrierFrom = new bool[job._workerCount];
            _wait = new ChannelWaiter<Exchange<T>, SourceItem>(job._inboxes[index].Reader, job._chunks.Reader);
        }

        /// <summary>The watermark up to which this worker's keyed operator has fired.</summary>
        public long FiredWatermark => Volatile.Read(ref _fired);

        /// <summary>Late records seen by this worker's operator (0 when it does not count them).</summary>
        public long LateRecords => _operator is ILateRecordCounter c ? c.LateRecords : 0;

        public async Task RunAsync(CancellationToken abort)
        {
            var inbox = _job._inboxes[_index].Reader;
            while (true)
            {
                var progressed = DrainInbox(inbox);
                if (_aligning != 0 && Aligned())
                {
                    await SnapshotAsync(abort);
                    continue;
                }
                await FlushOutputAsync(abort);
                if (!_chunksDone && !Blocked)
                {
                    if (_job._chunks.Reader.TryRead(out var item))
                    {
                        if (item.Chunk is { } chunk) await ProcessChunkAsync(chunk, abort);
                        else await TakeBarrierAsync(item.Barrier, abort);
                        continue;
                    }
                    if (_job._chunks.Reader.Completion.IsCompleted)
                    {
                        _chunksDone = true;
                        await AnnounceAsync(long.MaxValue, done: true, abort);
                        continue;
                    }
                }
                else if (AllSendersDone()) break;
                if (progressed) continue;
                if (!await _wait.WaitAsync(includeSecond: !_chunksDone && !Blocked, IdleTick, abort))
                {
                    // Idle: everything this worker parsed is sent, so it may promise the source's watermark.
                    if (!_chunksDone && !Blocked) await AnnounceAsync(_job._watermark.Current, done: false, abort);
                }
            }
            if (!_job._suspend) AdvanceWatermark(long.MaxValue);
            _job.PublishWatermark();
            _output.Seal();
            await FlushOutputAsync(abort);
        }

        private async ValueTask ProcessChunkAsync(Chunk chunk, CancellationToken abort)
        {
            var parsed = _job._recordPool.Rent();
            long maxTime;
            // Tracing off (no listener): one check per chunk, no span, nothing allocated.
            var span = EngineTracing.Enabled ? EngineTracing.StartBatch("parse", _job._plan.Name, "parse") : null;
            try
            {
                var rejected = _job._parser.Parse(chunk, _job._plan.Source.Name, parsed, _job._deadLetters);
                Interlocked.Add(ref _job._stats.RecordsIn, parsed.Count);
                if (rejected > 0) Interlocked.Add(ref _job._stats.ParseErrors, rejected);
                if (span is not null)
                {
                    EngineTracing.TagRecords<T>(span, parsed.Items);
                    span.SetTag("platform.partition", chunk.Partition);
                    span.SetTag("platform.position", chunk.Position);
                    span.SetTag("platform.rejected", rejected);
                }
                parsed = ApplyStateless(parsed);
                maxTime = Partition(parsed);
                var watermark = _job._watermark.Complete(chunk.Sequence, chunk.Partition, maxTime);
                await SendOutboundAsync(watermark, abort);
                _senderWatermark[_index] = watermark;
                ProcessKeyed(parsed.Items, span is not null);
                AdvanceWatermark(MinSenderWatermark());
            }
            finally
            {
                span?.Dispose();
                parsed.Dispose();
                chunk.Dispose();
            }
        }

        /// <summary>Runs the keyed operator over a batch, in a <c>keyed</c> span when tracing is on.</summary>
        private void ProcessKeyed(ReadOnlySpan<T> records, bool traced)
        {
            if (!traced || records.IsEmpty)
            {
                _operator.OnRecords(records, _output);
                return;
            }
            using var span = EngineTracing.StartBatch("keyed", _job._plan.Name, "keyed");
            if (span is not null)
            {
                EngineTracing.TagRecords(span, records);
                span.SetTag("platform.worker", _index);
            }
            _operator.OnRecords(records, _output);
        }

        private Batch<T> ApplyStateless(Batch<T> batch)
        {
            foreach (var op in _job._stateless)
            {
                var next = _job._recordPool.Rent();
                _appender.Target = next;
                op.Process(batch.Items, _appender);
                batch.Dispose();
                batch = next;
            }
            return batch;
        }

        /// <summary>Moves records of other workers' keys into their outbound batches, keeps ours in place; returns the max event time.</summary>
        private long Partition(Batch<T> batch)
        {
            var time = default(TTime);
            var key = default(TKey);
            var maxTime = long.MinValue;
            var span = batch.Span;
            if (!_job._partitioned || _job._workerCount == 1)
            {
                foreach (ref readonly var r in span) maxTime = Math.Max(maxTime, time.TimeOf(r));
                return maxTime;
            }
            var kept = 0;
            for (var i = 0; i < span.Length; i++)
            {
                ref readonly var r = ref span[i];
                maxTime = Math.Max(maxTime, time.TimeOf(r));
                var target = _job.WorkerOf(key.KeyOf(r));
                if (target == _index) span[kept++] = r;
                else (_outbound[target] ??= _job._recordPool.Rent()).Add(r);
            }
            while (batch.Count > kept) batch.RemoveLast();
            return maxTime;
        }

        private async ValueTask SendOutboundAsync(long watermark, CancellationToken abort)
        {
            if (!_job._partitioned) return;
            for (var j = 0; j < _outbound.Length; j++)
            {
                if (j == _index) continue;
                var batch = _outbound[j];
                if (batch is null && watermark <= _announced) continue;
                _outbound[j] = null;
                batch ??= _job._recordPool.Rent();
                batch.Watermark = watermark;
                await SendAsync(j, new Exchange<T>(batch, _index, false), abort);
            }
            _announced = Math.Max(_announced, watermark);
        }

        private async ValueTask AnnounceAsync(long watermark, bool done, CancellationToken abort)
        {
            if (watermark <= _announced && !done) return;
            _announced = Math.Max(_announced, watermark);
            _senderWatermark[_index] = Math.Max(_senderWatermark[_index], watermark);
            if (done) _senderDone[_index] = true;
            if (_job._partitioned)
            {
                for (var j = 0; j < _outbound.Length; j++)
                {
                    if (j == _index) continue;
                    var batch = _job._recordPool.Rent();
                    batch.Watermark = watermark;
                    await SendAsync(j, new Exchange<T>(batch, _index, done), abort);
                }
            }
            else if (done)
            {
                Array.Fill(_senderDone, true);
            }
            AdvanceWatermark(MinSenderWatermark());
        }

        /// <summary>Sends to another worker; while its inbox is full, keeps draining our own so two full workers cannot deadlock.</summary>
        private async ValueTask SendAsync(int target, Exchange<T> message, CancellationToken abort)
        {
            var writer = _job._inboxes[target].Writer;
            var inbox = _job._inboxes[_index].Reader;
            while (!writer.TryWrite(message))
            {
                if (DrainInbox(inbox)) continue;
                var space = writer.WaitToWriteAsync(abort).AsTask();
                var mail = inbox.WaitToReadAsync(abort).AsTask();
                await Task.WhenAny(space, mail);
                abort.ThrowIfCancellationRequested();
            }
        }

        private bool DrainInbox(System.Threading.Channels.ChannelReader<Exchange<T>> inbox)
        {
            var any = false;
            while (inbox.TryRead(out var m))
            {
                any = true;
                Handle(m);
            }
            if (any) AdvanceWatermark(MinSenderWatermark());
            return any;
        }

        /// <summary>
        /// Applies a message from another worker — unless that worker already sent the barrier this worker is
        /// aligning on: then the message belongs to the next checkpoint and waits in <see cref="_held"/>.
        /// </summary>
        private void Handle(in Exchange<T> m)
        {
            if (_aligning != 0 && _barrierFrom[m.Sender])
            {
                _held.Enqueue(m);
                return;
            }
            try
            {
                if (m.Barrier != 0)
                {
                    OnBarrier(m.Barrier, m.Sender);
                    return;
                }
                if (m.Batch.Count > 0) ProcessKeyed(m.Batch.Items, EngineTracing.Enabled);
                _senderWatermark[m.Sender] = Math.Max(_senderWatermark[m.Sender], m.Batch.Watermark);
                if (m.Done) _senderDone[m.Sender] = true;
            }
            finally
            {
                m.Batch.Dispose();
            }
        }

        private void OnBarrier(long id, int sender)
        {
            if (_aligning == 0)
            {
                _aligning = id;
                _alignStarted = Stopwatch.GetTimestamp();
            }
            else if (_aligning != id)
            {
                throw new InvalidOperationException($"Worker {_index} got barrier {id} from worker {sender} while aligning checkpoint {_aligning}.");
            }
            _barrierFrom[sender] = true;
        }

        /// <summary>Own barrier from the source: every chunk before it is processed and sent; pass it to every other worker.</summary>
        private async ValueTask TakeBarrierAsync(long id, CancellationToken abort)
        {
            OnBarrier(id, _index);
            // Unpartitioned workers exchange barriers too: a worker that took barrier n takes no chunk (and so
            // no second barrier n) before every worker has taken one.
            for (var j = 0; j < _outbound.Length; j++)
            {
                if (j == _index) continue;
                var marker = _job._recordPool.Rent();
                marker.Watermark = long.MinValue;
                await SendAsync(j, new Exchange<T>(marker, _index, false, id), abort);
            }
        }

        /// <summary>True when barrier <see cref="_aligning"/> came from every sender, this worker included.</summary>
        private bool Aligned()
        {
            foreach (var b in _barrierFrom) if (!b) return false;
            return true;
        }

        /// <summary>
        /// Aligned: the operator holds exactly the records before barrier n. Results so far go to the sinks,
        /// the state to disk, then the barrier to the sink task; then the held messages are applied.
        /// </summary>
        private async ValueTask SnapshotAsync(CancellationToken abort)
        {
            var id = _aligning;
            var alignment = Stopwatch.GetElapsedTime(_alignStarted);
            await FlushOutputAsync(abort);
            _job._checkpoints!.SnapshotWorker(id, _index, _operator.Snapshot, alignment);
            await _job._toSinks.Writer.WriteAsync(new SinkItem<TOut>(null, id, _index), abort);
            _aligning = 0;
            Array.Clear(_barrierFrom);
            var count = _held.Count;
            for (var i = 0; i < count; i++) Handle(_held.Dequeue());
            AdvanceWatermark(MinSenderWatermark());
        }

        /// <summary>After the run (input ended, results sent): this worker's state in checkpoint <paramref name="id"/>, then its barrier to the sinks.</summary>
        public async ValueTask SnapshotAtEndAsync(long id, CancellationToken abort)
        {
            _job._checkpoints!.SnapshotWorker(id, _index, _operator.Snapshot, TimeSpan.Zero);
            await _job._toSinks.Writer.WriteAsync(new SinkItem<TOut>(null, id, _index), abort);
        }

        /// <summary>Replaces the operator's state with this worker's part of a checkpoint (before the run starts).</summary>
        public void Restore(LoadedCheckpoint checkpoint)
        {
            CheckpointCoordinator.RestoreWorker(checkpoint, _index, _operator.Restore);
            _fired = long.MinValue;
        }

        private long MinSenderWatermark()
        {
            var min = long.MaxValue;
            for (var i = 0; i < _senderWatermark.Length; i++)
            {
                if (!_job._partitioned && i != _index) continue;
                min = Math.Min(min, _senderDone[i] ? long.MaxValue : _senderWatermark[i]);
            }
            return min;
        }

        private bool AllSendersDone()
        {
            foreach (var d in _senderDone) if (!d) return false;
            return true;
        }

        private void AdvanceWatermark(long watermark)
        {
            if (watermark <= _fired) return;
            if (watermark == long.MaxValue && _job._suspend) return; // a daemon stop with checkpoints: open windows stay open
            _operator.OnWatermark(watermark, _output);
            Volatile.Write(ref _fired, watermark);
            _job.PublishWatermark();
        }

        private async ValueTask FlushOutputAsync(CancellationToken abort)
        {
            _output.Seal();
            while (_output.Ready.TryDequeue(out var batch))
            {
                await _job._toSinks.Writer.WriteAsync(new SinkItem<TOut>(batch, 0, _index), abort);
            }
        }

        public void Release()
        {
            _output.Release();
            for (var j = 0; j < _outbound.Length; j++)
            {
                _outbound[j]?.Dispose();
                _outbound[j] = null;
            }
            while (_job._inboxes[_index].Reader.TryRead(out var m)) m.Batch.Dispose();
            while (_held.TryDequeue(out var h)) h.Batch.Dispose();
        }
    }

    /// <summary>An output appending into one batch (for fused stateless operators); one per worker, reused.</summary>
    private sealed class BatchAppender : IBatchOutput<T>
    {
        public Batch<T>? Target { get; set; }

        public void Emit(in T record) => Target!.Add(record);
    }
}
