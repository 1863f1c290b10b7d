using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Platform.Host.Benchmarks;

/// <summary>The results as a console table and as JSON (<c>{"results":[…]}</c>).</summary>
public static class BenchOutput
{
    private static readonly CultureInfo Ic = CultureInfo.InvariantCulture;

    /// <summary>Prints the table, with each engine's ratio to Platform on the same workload.</summary>
    public static void WriteTable(IAnsiConsole console, IReadOnlyList<BenchResult> results)
    {
        ArgumentNullException.ThrowIfNull(console);
        var table = new Table().Title("Platform bench").AddColumns(
            "workload", "engine", "M rec/s", "M rec/s per core used", "MB/s", "Platform ×", "B/rec alloc", "p99 ms", "peak WS MB", "cores", "elapsed s", "verified");
        foreach (var c in table.Columns.Skip(2).Take(9)) c.RightAligned();
        foreach (var r in results)
        {
            var platform = results.FirstOrDefault(p => p.Workload == r.Workload && p.Engine == "platform");
            var ratio = platform is not null && r.Engine != "platform" && r.RecordsPerSecond > 0
                ? (platform.RecordsPerSecond / r.RecordsPerSecond).ToString("N1", Ic) + "×"
                : "";
            table.AddRow(
                Markup.Escape(r.Workload),
                Markup.Escape(r.Engine),
                (r.RecordsPerSecond / 1e6).ToString("N3", Ic),
                r.CoresUsed > 0 ? (r.RecordsPerSecond / r.CoresUsed / 1e6).ToString("N3", Ic) : "",
                r.MegabytesPerSecond?.ToString("N0", Ic) ?? "",
                ratio,
                r.BytesAllocatedPerRecord?.ToString("N1", Ic) ?? "",
                r.P99Ms?.ToString("N2", Ic) ?? "",
                r.PeakWorkingSetMb.ToString("N0", Ic),
                r.CoresUsed.ToString("N2", Ic),
                r.Elapsed.TotalSeconds.ToString("N2", Ic),
                Markup.Escape(r.Verified ?? ""));
        }
        console.Write(table);
        foreach (var r in results.Where(r => r.Note is not null))
            console.MarkupLine($"[grey]{Markup.Escape($"{r.Workload} / {r.Engine}: {r.Note}")}[/]");
    }

    /// <summary>
    /// Writes <c>{"machine":{…},"results":[{"engine","workload","records_per_s","bytes_allocated_per_record","p99_ms",
    /// "peak_working_set_mb","cores_used", …}]}</c>; a figure not measured is null.
    /// </summary>
    public static void WriteJson(Stream stream, IReadOnlyList<BenchResult> results)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteStartObject("machine");
        w.WriteNumber("processors", Environment.ProcessorCount);
        w.WriteString("os", System.Runtime.InteropServices.RuntimeInformation.OSDescription);
        w.WriteString("runtime", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
        w.WriteString("utc", DateTime.UtcNow.ToString("O", Ic));
        w.WriteEndObject();
        w.WriteStartArray("results");
        foreach (var r in results)
        {
            w.WriteStartObject();
            w.WriteString("engine", r.Engine);
            w.WriteString("workload", r.Workload);
            w.WriteNumber("records_per_s", Math.Round(r.RecordsPerSecond, 1));
            WriteNullable(w, "bytes_allocated_per_record", r.BytesAllocatedPerRecord);
            WriteNullable(w, "p99_ms", r.P99Ms);
            w.WriteNumber("peak_working_set_mb", Math.Round(r.PeakWorkingSetMb, 1));
            w.WriteNumber("cores_used", Math.Round(r.CoresUsed, 2));
            WriteNullable(w, "records_per_s_per_core_used", r.CoresUsed > 0 ? r.RecordsPerSecond / r.CoresUsed : null);
            WriteNullable(w, "mb_per_s", r.MegabytesPerSecond);
            w.WriteNumber("records", r.Records);
            w.WriteNumber("elapsed_s", Math.Round(r.Elapsed.TotalSeconds, 4));
            if (r.Verified is null) w.WriteNull("verified");
            else w.WriteString("verified", r.Verified);
            if (r.Note is null) w.WriteNull("note");
            else w.WriteString("note", r.Note);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Writes the JSON to <paramref name="path"/> (directory created).</summary>
    public static void WriteJson(string path, IReadOnlyList<BenchResult> results)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var f = File.Create(path);
        WriteJson(f, results);
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v)) w.WriteNumber(name, Math.Round(v, 3));
        else w.WriteNull(name);
    }
}
