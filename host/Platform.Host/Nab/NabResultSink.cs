using System.Globalization;
using System.Text;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Operators.Anomaly;

namespace Platform.Host.Nab;

/// <summary>
/// Collects scores per file (the key) and writes NAB result files on flush:
/// <c>&lt;out&gt;/&lt;detector&gt;/&lt;category&gt;/&lt;detector&gt;_&lt;file&gt;.csv</c> with
/// <c>timestamp,value,anomaly_score,label</c>, rows in time order.
/// </summary>
internal sealed class NabResultSink(NabCorpus corpus, string outDir, string detector) : ISink<AnomalyScore>
{
    private readonly List<(long Time, double Value, double Score)>[] _rows =
        [.. Enumerable.Range(0, corpus.Files.Count).Select(_ => new List<(long, double, double)>())];

    public string Name => "nab-results";

    public IReadOnlyList<string> Written { get; private set; } = [];

    public ValueTask OpenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask WriteAsync(Batch<AnomalyScore> batch, CancellationToken cancellationToken)
    {
        foreach (ref readonly var s in batch.Items) _rows[(int)s.Key].Add((s.Timestamp, s.Value, s.Score));
        return ValueTask.CompletedTask;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var written = new List<string>();
        for (var f = 0; f < _rows.Length; f++)
        {
            var rows = _rows[f];
            if (rows.Count == 0) continue;
            rows.Sort((a, b) => a.Time.CompareTo(b.Time));
            var file = corpus.Files[f];
            var path = NabPaths.ResultFile(outDir, detector, file.Category, file.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var windows = corpus.WindowsOf(file);
            var sb = new StringBuilder(rows.Count * 48);
            sb.Append("timestamp,value,anomaly_score,label\n");
            foreach (var (time, value, score) in rows)
            {
                var label = windows.Any(w => time >= w.Start && time <= w.End) ? 1 : 0;
                sb.Append(NabPaths.FormatTime(time)).Append(',')
                  .Append(value.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                  .Append(score.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                  .Append(label).Append('\n');
            }
            var tmp = path + ".tmp";
            await File.WriteAllTextAsync(tmp, sb.ToString(), cancellationToken);
            File.Move(tmp, path, overwrite: true);
            written.Add(path);
        }
        Written = written;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
