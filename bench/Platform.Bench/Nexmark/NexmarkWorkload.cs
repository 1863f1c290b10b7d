using System.Globalization;
using Platform.Connectors.Memory;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.Records;
using Platform.Engine.Runtime;
using Platform.Engine.Windows;
using Platform.Host.Benchmarks;

namespace Platform.Bench.Nexmark;

/// <summary>
/// <c>nexmark</c>: queries q0–q8 on Platform over the same generated events (held in memory as fixed-width structs, so
/// "parse" is a copy — Flink's Nexmark source also generates objects in-process, no text format). Each query is one
/// pipeline: source → (fused stateless filter/map) → one keyed stage → sink. Where a query has a second, tiny
/// aggregation after its keyed stage (q4's average per category over 5 categories, q5's hottest auction per window,
/// q6's per-seller average of the last 10 sales, q7's max of the workers' partial maxima), the sink does it: the runtime
/// has one keyed stage per pipeline today. Reported: events/s, and events/s per core (÷ workers).
/// </summary>
public sealed class NexmarkWorkload : IBenchWorkload
{
    private const long WindowMs = 10_000;
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    /// <inheritdoc />
    public string Name => "nexmark";

    /// <summary>Query names, q0 … q8.</summary>
    public static IReadOnlyList<string> Queries { get; } = [.. Enumerable.Range(0, 9).Select(i => "q" + i)];

    /// <inheritdoc />
    public async Task<IReadOnlyList<BenchResult>> RunAsync(BenchSettings settings, Action<string> log, CancellationToken cancellationToken)
    {
        var events = settings.Events > 0 ? settings.Events : settings.Quick ? 1_000_000 : 10_000_000;
        var blocks = new NexmarkGenerator(settings.Seed).Generate(events);
        log(string.Create(Ic, $"nexmark input: {events:N0} events (1 person : 3 auctions : 46 bids), {blocks.Sum(b => (long)b.Length) / 1e6:N0} MB of structs"));
        var results = new List<BenchResult>();
        foreach (var q in Queries)
        {
            if (!settings.Runs("platform")) break;
            await RunQueryAsync(q, blocks.Take(Math.Min(blocks.Count, 50)).ToList(), settings, cancellationToken); // warm-up
            var ((rows, summary), cost) = await Measure.RunAsync(() => RunQueryAsync(q, blocks, settings, cancellationToken));
            var rate = events / cost.Elapsed.TotalSeconds;
            var result = new BenchResult
            {
                Engine = "platform",
                Workload = "nexmark-" + q,
                RecordsPerSecond = rate,
                BytesAllocatedPerRecord = cost.AllocatedBytes / (double)events,
                PeakWorkingSetMb = cost.PeakWorkingSetMb,
                CoresUsed = cost.CoresUsed,
                Records = events,
                Elapsed = cost.Elapsed,
                Note = string.Create(Ic, $"{rate / settings.EffectiveWorkers / 1e3:N0} k events/s per core ({settings.EffectiveWorkers} workers); {rows:N0} rows out; {summary}"),
            };
            log(string.Create(Ic, $"  nexmark-{q}  {rate / 1e6,6:N2} M events/s  {rate / settings.EffectiveWorkers / 1e3,7:N0} k/s/core  {rows:N0} rows  {summary}"));
            results.Add(result);
        }
        return results;
    }

    /// <summary>Runs one query over <paramref name="blocks"/>; returns rows out and a one-line summary of the result.</summary>
    public static async Task<(long Rows, string Summary)> RunQueryAsync(string query, IReadOnlyList<byte[]> blocks, BenchSettings settings, CancellationToken ct)
    {
        var options = new PipelineOptions { Workers = settings.Workers, BatchSize = settings.BatchSize };
        var source = Pipeline.Create("nexmark-" + query, options)
            .From(new MemoryChunkSource(blocks, "nexmark"))
            .Parse(new NexmarkParser(), default(NexmarkTime));
        switch (query)
        {
            case "q0":
                {
                    var sink = new FoldSink<NexmarkEvent>(null);
                    await source.To(sink).RunAsync(ct);
                    return (sink.Count, "pass-through");
                }
            case "q1":
                {
                    long sum = 0;
                    var sink = new FoldSink<NexmarkEvent>(b => { foreach (ref readonly var e in b.Items) sum += e.Price; });
                    await source.Apply(new Q1CurrencyMap(), "q1-euros").To(sink).RunAsync(ct);
                    return (sink.Count, $"sum of euro prices {sum:N0}");
                }
            case "q2":
                {
                    var sink = new FoldSink<NexmarkEvent>(null);
                    await source.Apply(new Q2Filter(), "q2-filter").To(sink).RunAsync(ct);
                    return (sink.Count, "bids with auction % 123 == 0");
                }
            case "q3":
                {
                    var sink = new FoldSink<NexmarkRow>(null);
                    await source.Apply(new KindFilter(NexmarkKind.Person, NexmarkKind.Auction), "persons+auctions")
                        .KeyBy(default(PersonKey)).Process(() => new Q3Join(), "q3-join").To(sink).RunAsync(ct);
                    return (sink.Count, "(person, auction) matches");
                }
            case "q4":
                {
                    var sums = new Dictionary<long, (long Sum, long N)>();
                    var sink = new FoldSink<NexmarkRow>(b =>
                    {
                        foreach (ref readonly var r in b.Items)
                        {
                            sums.TryGetValue(r.Group, out var s);
                            sums[r.Group] = (s.Sum + r.Value, s.N + 1);
                        }
                    });
                    await source.Apply(new KindFilter(NexmarkKind.Auction, NexmarkKind.Bid), "auctions+bids")
                        .KeyBy(default(AuctionKey)).Process(() => new ClosingAuctions(bySeller: false), "q4-closing").To(sink).RunAsync(ct);
                    return (sink.Count, "avg closing price per category: " + string.Join(", ", sums.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value.Sum / (double)k.Value.N:N0}")));
                }
            case "q5":
                {
                    var hottest = new Dictionary<long, (long Auction, long Count)>();
                    var sink = new FoldSink<WindowResult>(b =>
                    {
                        foreach (ref readonly var r in b.Items)
                            if (!hottest.TryGetValue(r.WindowStart, out var h) || r.Count > h.Count) hottest[r.WindowStart] = (r.Key, r.Count);
                    });
                    await source.Apply(new KindFilter(NexmarkKind.Bid), "bids")
                        .KeyBy(default(AuctionKey)).Window(WindowSpec.Hopping(WindowMs, 2_000)).Aggregate(default(One), "q5-count").To(sink).RunAsync(ct);
                    return (sink.Count, $"{hottest.Count} hopping windows (10 s every 2 s), hottest auction count max {hottest.Values.DefaultIfEmpty().Max(v => v.Count):N0}");
                }
            case "q6":
                {
                    var last = new Dictionary<long, Queue<long>>();
                    var sink = new FoldSink<NexmarkRow>(b =>
                    {
                        foreach (ref readonly var r in b.Items)
                        {
                            if (!last.TryGetValue(r.Group, out var q)) last[r.Group] = q = new Queue<long>(10);
                            if (q.Count == 10) q.Dequeue();
                            q.Enqueue(r.Value);
                        }
                    });
                    await source.Apply(new KindFilter(NexmarkKind.Auction, NexmarkKind.Bid), "auctions+bids")
                        .KeyBy(default(AuctionKey)).Process(() => new ClosingAuctions(bySeller: true), "q6-closing").To(sink).RunAsync(ct);
                    return (sink.Count, $"{last.Count:N0} sellers with an average of their last ≤10 sales");
                }
            case "q7":
                {
                    var max = new Dictionary<long, long>();
                    var sink = new FoldSink<NexmarkRow>(b =>
                    {
                        foreach (ref readonly var r in b.Items)
                            if (!max.TryGetValue(r.Time, out var m) || r.Value > m) max[r.Time] = r.Value;
                    });
                    await source.Apply(new KindFilter(NexmarkKind.Bid), "bids")
                        .KeyBy(default(AuctionKey)).Process(() => new Q7WindowMax(WindowMs), "q7-window-max").To(sink).RunAsync(ct);
                    return (sink.Count, $"{max.Count} windows with their highest bid");
                }
            case "q8":
                {
                    var sink = new FoldSink<NexmarkRow>(null);
                    await source.Apply(new KindFilter(NexmarkKind.Person, NexmarkKind.Auction), "persons+auctions")
                        .KeyBy(default(PersonKey)).Process(() => new Q8NewUsers(WindowMs), "q8-new-users").To(sink).RunAsync(ct);
                    return (sink.Count, "new users who opened an auction in their first window");
                }
            default:
                throw new ArgumentOutOfRangeException(nameof(query), query, "q0 … q8");
        }
    }
}

/// <summary>A sink that counts and optionally folds each batch (on the sink thread).</summary>
public sealed class FoldSink<T>(Action<Batch<T>>? fold) : ISink<T>
{
    /// <summary>Records written.</summary>
    public long Count { get; private set; }

    /// <inheritdoc />
    public string Name => "fold";

    /// <inheritdoc />
    public ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask WriteAsync(Batch<T> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Count += batch.Count;
        fold?.Invoke(batch);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
