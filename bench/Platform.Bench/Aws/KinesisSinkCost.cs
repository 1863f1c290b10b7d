using System.Diagnostics;
using System.Globalization;

namespace Platform.Bench.Aws;

/// <summary>
/// <c>dotnet run -c Release --project bench/Platform.Bench -- kinesis-sink [--rounds 10]</c>: the Kinesis sink's own
/// cost, the same work as <see cref="KinesisSinkBenchmarks"/> (20 000 telemetry records encoded, batched, base64'd,
/// signed and sent to an endpoint that answers at once), measured as records per wall second, records per CPU
/// second of the whole process (robust on a loaded machine) and bytes allocated per record, for the in-memory
/// handler and for a loopback HTTP listener side by side in one process.
/// </summary>
internal static class KinesisSinkCost
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = 10;
        var at = Array.IndexOf(args, "--rounds");
        if (at >= 0 && at + 1 < args.Length) rounds = int.Parse(args[at + 1], CultureInfo.InvariantCulture);
        Console.WriteLine($"Kinesis sink cost: {KinesisSinkBenchmarks.Records:N0} records per round, {rounds} rounds each after 2 warm-up rounds, the two endpoints alternating");
        string[] endpoints = ["InMemory", "Loopback"];
        var benches = endpoints.Select(e => new KinesisSinkBenchmarks { Endpoint = e }).ToArray();
        var wall = new double[endpoints.Length];
        var cpu = new double[endpoints.Length];
        var bytes = new long[endpoints.Length];
        foreach (var b in benches) b.Setup();
        for (var round = -2; round < rounds; round++)
        {
            // Alternating rounds share the machine's ups and downs (it is shared with other builds).
            for (var e = 0; e < endpoints.Length; e++)
            {
                var process = Process.GetCurrentProcess();
                var cpuBefore = process.TotalProcessorTime;
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var clock = Stopwatch.StartNew();
                await benches[e].PutRecords();
                clock.Stop();
                process.Refresh();
                if (round < 0) continue;
                wall[e] += clock.Elapsed.TotalSeconds;
                cpu[e] += (process.TotalProcessorTime - cpuBefore).TotalSeconds;
                bytes[e] += GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            }
        }
        Console.WriteLine("endpoint  | records/s (wall) | records per CPU-second | bytes allocated / record");
        double records = (long)KinesisSinkBenchmarks.Records * rounds;
        for (var e = 0; e < endpoints.Length; e++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{endpoints[e],-9} | {records / wall[e],16:N0} | {records / cpu[e],22:N0} | {bytes[e] / records,24:N1}"));
            await benches[e].Cleanup();
            benches[e].Dispose();
        }
        return 0;
    }
}
