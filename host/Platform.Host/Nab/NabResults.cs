using System.Globalization;

namespace Platform.Host.Nab;

/// <summary>Reads a detector's result files back for scoring.</summary>
internal static class NabResults
{
    public static List<NabSeries> Load(NabCorpus corpus, string resultsDir, string detector)
    {
        var series = new List<NabSeries>();
        foreach (var file in corpus.Files.Where(corpus.HasLabels))
        {
            var path = NabPaths.ResultFile(resultsDir, detector, file.Category, file.Name);
            if (!File.Exists(path)) throw new FileNotFoundException($"No result file for {file.Id} (expected {path}).", path);
            series.Add(Read(file.Id, path, corpus.WindowsOf(file)));
        }
        return series;
    }

    public static NabSeries Read(string id, string path, NabWindow[] windows)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) return new NabSeries(id, [], [], windows);
        var header = lines[0].Split(',');
        var timeCol = Array.IndexOf(header, "timestamp");
        var scoreCol = Array.IndexOf(header, "anomaly_score");
        if (timeCol < 0 || scoreCol < 0) throw new FormatException($"{path}: needs timestamp and anomaly_score columns.");
        var times = new List<long>(lines.Length);
        var scores = new List<double>(lines.Length);
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var cols = lines[i].Split(',');
            times.Add(NabCorpus.ParseTime(cols[timeCol]));
            scores.Add(double.Parse(cols[scoreCol], CultureInfo.InvariantCulture));
        }
        return new NabSeries(id, [.. times], [.. scores], windows);
    }
}
