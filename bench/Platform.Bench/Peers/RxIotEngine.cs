using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Platform.Host.Benchmarks;

namespace Platform.Bench.Peers;

/// <summary>
/// The iot-anomaly job in Rx.NET, written as an Rx user would: blocks → parse each block on the task pool
/// (<c>Merge(maxConcurrent: workers)</c>, so parsing uses every core) → a <c>Scan</c> that puts blocks back in input
/// order → <c>SelectMany</c> to readings → an event-time tumbling-window operator
/// (<c>Observable.Create</c> around <see cref="PeerWindowState"/>, watermark = max time − lateness, flush on
/// completion) → rows to the counting sink. Merge serialises delivery, so the window state needs no lock.
/// </summary>
public sealed class RxIotEngine : IIotEngine
{
    /// <inheritdoc />
    public string Name => "rx";

    /// <inheritdoc />
    public async Task<IotRunOutput> RunAsync(IReadOnlyList<byte[]> blocks, IotJobSettings job, int workers, bool collectRows, CancellationToken cancellationToken)
    {
        var output = new IotRunOutput { Rows = collectRows ? [] : null };
        var sink = new PeerSink(output);
        long parsed = 0, rejected = 0;

        var readings = blocks.ToObservable()
            .Select((block, index) => Observable.Defer(() => Observable.Start(() =>
            {
                var list = PeerParsing.ParseBlock(block, out var bad);
                Interlocked.Add(ref rejected, bad);
                Interlocked.Add(ref parsed, list.Count);
                return (Index: index, List: list);
            }, TaskPoolScheduler.Default)))
            .Merge(Math.Max(1, workers))
            .Scan((Next: 0, Pending: new SortedDictionary<int, List<PeerReading>>(), Ready: new List<List<PeerReading>>()), (s, parsedBlock) =>
            {
                // Merge delivers blocks as they finish; put them back in input order.
                s.Ready.Clear();
                s.Pending[parsedBlock.Index] = parsedBlock.List;
                while (s.Pending.Remove(s.Next, out var next))
                {
                    s.Ready.Add(next);
                    s.Next++;
                }
                return s;
            })
            .SelectMany(s => s.Ready.ToArray())
            .SelectMany(list => list);

        var rows = Observable.Create<PeerRow>(observer =>
        {
            var state = new PeerWindowState(job);
            return readings.Subscribe(
                r =>
                {
                    if (state.Add(in r) is { } fired)
                        foreach (var row in fired) observer.OnNext(row);
                },
                observer.OnError,
                () =>
                {
                    if (state.Flush() is { } fired)
                        foreach (var row in fired) observer.OnNext(row);
                    observer.OnCompleted();
                });
        });

        await rows.Do(sink.Add).LastOrDefaultAsync().ToTask(cancellationToken);
        output.RecordsIn = parsed;
        output.Rejected = rejected;
        return output;
    }
}
