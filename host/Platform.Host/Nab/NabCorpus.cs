using System.Globalization;
using System.Text.Json;

namespace Platform.Host.Nab;

/// <summary>A data file of the corpus: <c>data/&lt;Category&gt;/&lt;Name&gt;.csv</c>.</summary>
internal sealed record NabFile(string Category, string Name, string Path)
{
    /// <summary>The key NAB uses in combined_windows.json: <c>category/name.csv</c>.</summary>
    public string Id => $"{Category}/{Name}.csv";
}

/// <summary>An anomaly window, inclusive, Unix ms.</summary>
internal readonly record struct NabWindow(long Start, long End);

/// <summary>A cost matrix of one scoring profile.</summary>
internal sealed record NabProfile(string Name, double TpWeight, double FpWeight, double FnWeight);

/// <summary>The corpus: data files, labelled windows and scoring profiles.</summary>
internal sealed class NabCorpus
{
    private readonly Dictionary<string, NabWindow[]> _windows;

    private NabCorpus(IReadOnlyList<NabFile> files, Dictionary<string, NabWindow[]> windows, IReadOnlyList<NabProfile> profiles)
    {
        Files = files;
        _windows = windows;
        Profiles = profiles;
    }

    public IReadOnlyList<NabFile> Files { get; }
    public IReadOnlyList<NabProfile> Profiles { get; }

    public NabWindow[] WindowsOf(NabFile file) => _windows.GetValueOrDefault(file.Id) ?? [];

    public bool HasLabels(NabFile file) => _windows.ContainsKey(file.Id);

    /// <summary>
    /// Loads a corpus from <paramref name="dir"/>: either NAB's root (with <c>data/</c>,
    /// <c>combined_windows.json</c>, <c>profiles.json</c>) or the <c>data/</c> folder itself.
    /// Labels and profiles are optional for running (required for scoring).
    /// </summary>
    public static NabCorpus Load(string dir)
    {
        var root = Path.GetFullPath(dir);
        var data = Directory.Exists(Path.Combine(root, "data")) ? Path.Combine(root, "data") : root;
        var labelsRoot = File.Exists(Path.Combine(root, "combined_windows.json")) ? root : Path.GetDirectoryName(data)!;
        if (!Directory.Exists(data)) throw new DirectoryNotFoundException($"No NAB data folder at {data}.");
        var files = Directory.GetDirectories(data).OrderBy(d => d, StringComparer.Ordinal)
            .SelectMany(cat => Directory.GetFiles(cat, "*.csv").OrderBy(f => f, StringComparer.Ordinal)
                .Select(f => new NabFile(Path.GetFileName(cat), Path.GetFileNameWithoutExtension(f), f)))
            .ToList();
        var windows = new Dictionary<string, NabWindow[]>(StringComparer.Ordinal);
        var windowsPath = Path.Combine(labelsRoot, "combined_windows.json");
        if (File.Exists(windowsPath))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(windowsPath));
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                windows[p.Name] = [.. p.Value.EnumerateArray().Select(w => new NabWindow(ParseTime(w[0].GetString()!), ParseTime(w[1].GetString()!)))];
            }
        }
        var profiles = new List<NabProfile>();
        var profilesPath = Path.Combine(labelsRoot, "profiles.json");
        if (File.Exists(profilesPath))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(profilesPath));
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                var m = p.Value.GetProperty("CostMatrix");
                profiles.Add(new NabProfile(p.Name, m.GetProperty("tpWeight").GetDouble(), m.GetProperty("fpWeight").GetDouble(), m.GetProperty("fnWeight").GetDouble()));
            }
        }
        return new NabCorpus(files, windows, profiles);
    }

    public static long ParseTime(string s)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(s);
        if (!NabCsvParser.TryParseTimestamp(bytes, out var ms)) throw new FormatException($"Bad NAB timestamp '{s}'.");
        return ms;
    }
}

internal static class NabPaths
{
    public static string ResultFile(string outDir, string detector, string category, string name) =>
        Path.Combine(outDir, detector, category, $"{detector}_{name}.csv");

    public static string FormatTime(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
