using Akka;
using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using Platform.Host.Benchmarks;

namespace Platform.Bench.Peers;

/// <summary>
/// The iot-anomaly job in Akka.Streams: <c>Source.From(blocks)</c> → <c>SelectAsync(workers)</c> parsing each block on
/// the task pool (System.Text.Json, order kept) → <c>SelectMany</c> to readings → <c>GroupBy(workers, key hash)</c> →
/// per substream (<c>.Async()</c>, so substreams run on their own actors) a <c>StatefulSelectMany</c> that owns its keys'
/// windows and z-scores (<see cref="PeerWindowState"/>) → <c>MergeSubstreams</c> → <c>Sink.ForEach</c> into the
/// counting sink. End of input reaches every substream as an end marker (one per partition, appended with
/// <c>Concat</c>), which fires the open windows — a stateful stage has no completion hook of its own.
/// </summary>
public sealed class AkkaStreamsIotEngine : IIotEngine
{
    private static readonly Config Quiet = ConfigurationFactory.ParseString("akka.loglevel = ERROR\nakka.stdout-loglevel = ERROR\nakka.log-dead-letters = off");

    /// <inheritdoc />
    public string Name => "akka-streams";

    /// <inheritdoc />
    public async Task<IotRunOutput> RunAsync(IReadOnlyList<byte[]> blocks, IotJobSettings job, int workers, bool collectRows, CancellationToken cancellationToken)
    {
        var output = new IotRunOutput { Rows = collectRows ? [] : null };
        var sink = new PeerSink(output);
        long parsed = 0, rejected = 0;
        var partitions = Math.Max(1, workers);
        using var system = ActorSystem.Create("bench", Quiet);
        try
        {
            var materializer = system.Materializer();
            var ends = Enumerable.Range(0, partitions).Select(p => new Item(default, p, true)).ToList();
            var grouped = Source.From(blocks)
                .SelectAsync(partitions, block => Task.Run(() =>
                {
                    var list = PeerParsing.ParseBlock(block, out var bad);
                    Interlocked.Add(ref rejected, bad);
                    Interlocked.Add(ref parsed, list.Count);
                    return list;
                }, cancellationToken))
                .SelectMany(list => list.Select(r => new Item(r, (int)((uint)HashCode.Combine(r.Device, r.Sensor) % (uint)partitions), false)))
                .Concat(Source.From(ends))
                .GroupBy(partitions, item => item.Partition)
                .Via(Flow.Create<Item>().StatefulSelectMany<Item, Item, PeerRow, NotUsed>(() =>
                {
                    var state = new PeerWindowState(job);
                    return item =>
                    {
                        var reading = item.Reading;
                        return (item.End ? state.Flush() : state.Add(in reading)) ?? (IEnumerable<PeerRow>)[];
                    };
                }).Async());
            var merged = (Source<PeerRow, NotUsed>)((SubFlow<PeerRow, NotUsed, IRunnableGraph<NotUsed>>)grouped).MergeSubstreams();
            var done = merged.RunForeach(sink.Add, materializer);
            await done.WaitAsync(cancellationToken);
        }
        finally
        {
            await system.Terminate();
        }
        output.RecordsIn = parsed;
        output.Rejected = rejected;
        return output;
    }

    private readonly record struct Item(PeerReading Reading, int Partition, bool End);
}
