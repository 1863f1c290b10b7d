using System.Diagnostics;

namespace Platform.Host.Benchmarks;

/// <summary>What a measured region cost: wall time, CPU time, allocations, peak working set.</summary>
public readonly record struct Measurement(TimeSpan Elapsed, TimeSpan CpuTime, long AllocatedBytes, long PeakWorkingSetBytes)
{
    /// <summary>CPU time / wall time.</summary>
    public double CoresUsed => Elapsed.TotalSeconds > 0 ? CpuTime.TotalSeconds / Elapsed.TotalSeconds : 0;

    /// <summary>Peak working set in MB (10^6 B).</summary>
    public double PeakWorkingSetMb => PeakWorkingSetBytes / 1e6;
}

/// <summary>Measures a region of the process: starts from a collected heap, samples the working set every 10 ms.</summary>
public static class Measure
{
    /// <summary>Runs <paramref name="body"/> and measures it.</summary>
    public static async Task<(T Value, Measurement Cost)> RunAsync<T>(Func<Task<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        long peak = Environment.WorkingSet;
        using var sampler = new Timer(_ => InterlockedMax(ref peak, Environment.WorkingSet), null, 0, 10);
        var cpu0 = process.TotalProcessorTime;
        var alloc0 = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var value = await body();
        var elapsed = watch.Elapsed;
        var alloc = GC.GetTotalAllocatedBytes(precise: true) - alloc0;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        InterlockedMax(ref peak, Environment.WorkingSet);
        return (value, new Measurement(elapsed, cpu, alloc, Interlocked.Read(ref peak)));
    }

    /// <summary>
    /// Measures a single-threaded <paramref name="body"/> on the calling thread; allocations are the
    /// calling thread's only (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), so the sampler does not count.
    /// </summary>
    public static (T Value, Measurement Cost) RunOnThisThread<T>(Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        long threadAlloc = 0;
        var (value, cost) = RunAsync(() =>
        {
            var a0 = GC.GetAllocatedBytesForCurrentThread();
            var v = body();
            threadAlloc = GC.GetAllocatedBytesForCurrentThread() - a0;
            return Task.FromResult(v);
        }).GetAwaiter().GetResult();
        return (value, cost with { AllocatedBytes = threadAlloc });
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
