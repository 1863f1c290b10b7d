using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Platform.Integration.Tests;

/// <summary>Reads `platform run`'s plain live-summary lines as they come, so a test can wait until records flow.</summary>
internal sealed partial class SummaryProgress
{
    private readonly StringBuilder _text = new();
    private long _recordsIn;

    public string Text
    {
        get { lock (_text) return _text.ToString(); }
    }

    public async Task<string> ReadAllAsync(StreamReader output)
    {
        while (await output.ReadLineAsync() is { } line)
        {
            lock (_text) _text.AppendLine(line);
            var match = RecordsIn().Match(line);
            if (match.Success) Interlocked.Exchange(ref _recordsIn, long.Parse(match.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture));
        }
        return Text;
    }

    public async Task<bool> WaitForRecordsAsync(long atLeast, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Interlocked.Read(ref _recordsIn) < atLeast)
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(100);
        }
        return true;
    }

    [GeneratedRegex(@"^\d\d:\d\d:\d\d\s+in\s+([\d,]+)\s")]
    private static partial Regex RecordsIn();
}
