using System.Threading.Tasks.Dataflow;
using Platform.Host.Benchmarks;

namespace Platform.Bench.Peers;

/// <summary>
/// The iot-anomaly job in TPL Dataflow: <c>TransformBlock</c> parses blocks (System.Text.Json,
/// MaxDegreeOfParallelism = workers, ordered) → an <c>ActionBlock</c> router splits each parsed block by key hash →
/// one <c>ActionBlock</c> per partition owns its keys' windows and z-scores (<see cref="PeerWindowState"/>) → a
/// single <c>ActionBlock</c> sink. Every block is bounded, so backpressure reaches the producer.
/// </summary>
public sealed class TplDataflowIotEngine : IIotEngine
{
    /// <inheritdoc />
    public string Name => "tpl-dataflow";

    /// <inheritdoc />
    public async Task<IotRunOutput> RunAsync(IReadOnlyList<byte[]> blocks, IotJobSettings job, int workers, bool collectRows, CancellationToken cancellationToken)
    {
        var output = new IotRunOutput { Rows = collectRows ? [] : null };
        var peerSink = new PeerSink(output);
        long parsed = 0, rejected = 0;
        var partitions = Math.Max(1, workers);
        var bounded = new ExecutionDataflowBlockOptions { BoundedCapacity = 4 * partitions, CancellationToken = cancellationToken };

        var sink = new ActionBlock<List<PeerRow>>(rows =>
        {
            foreach (var r in rows) peerSink.Add(r);
        }, bounded);

        var owners = new ActionBlock<List<PeerReading>>[partitions];
        var states = new PeerWindowState[partitions];
        for (var p = 0; p < partitions; p++)
        {
            var state = states[p] = new PeerWindowState(job);
            owners[p] = new ActionBlock<List<PeerReading>>(async batch =>
            {
                List<PeerRow>? rows = null;
                foreach (var r in batch)
                {
                    if (state.Add(in r) is { } fired) (rows ??= []).AddRange(fired);
                }
                if (rows is not null) await sink.SendAsync(rows, cancellationToken);
            }, bounded);
        }

        var parse = new TransformBlock<byte[], List<PeerReading>>(block =>
        {
            var list = PeerParsing.ParseBlock(block, out var bad);
            Interlocked.Add(ref rejected, bad);
            Interlocked.Add(ref parsed, list.Count);
            return list;
        }, new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = partitions, BoundedCapacity = 4 * partitions, EnsureOrdered = true, CancellationToken = cancellationToken });

        var router = new ActionBlock<List<PeerReading>>(async list =>
        {
            var split = new List<PeerReading>[partitions];
            foreach (var r in list)
            {
                var p = (int)((uint)HashCode.Combine(r.Device, r.Sensor) % (uint)partitions);
                (split[p] ??= new List<PeerReading>(list.Count / partitions + 16)).Add(r);
            }
            for (var p = 0; p < partitions; p++)
                if (split[p] is { } part) await owners[p].SendAsync(part, cancellationToken);
        }, new ExecutionDataflowBlockOptions { BoundedCapacity = 4, CancellationToken = cancellationToken });
        parse.LinkTo(router, new DataflowLinkOptions { PropagateCompletion = true });

        foreach (var block in blocks) await parse.SendAsync(block, cancellationToken);
        parse.Complete();
        await router.Completion;
        foreach (var o in owners) o.Complete();
        await Task.WhenAll(owners.Select(o => o.Completion));
        // End of input: each partition's open windows fire (the owners are done, so their state is free to touch).
        foreach (var state in states)
            if (state.Flush() is { } last) await sink.SendAsync(last, cancellationToken);
        sink.Complete();
        await sink.Completion;
        output.RecordsIn = parsed;
        output.Rejected = rejected;
        return output;
    }
}
