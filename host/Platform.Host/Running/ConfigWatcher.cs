namespace Platform.Host.Running;

/// <summary>
/// Watches a pipeline file by polling its contents (editors save by rename, truncate or in place, and
/// file-system events miss some of those; a read every <see cref="Interval"/> of a small YAML file does not).
/// </summary>
internal sealed class ConfigWatcher(string path, TimeSpan? interval = null)
{
    private string? _last = TryRead(path);

    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(50);

    /// <summary>How often the file is read.</summary>
    public TimeSpan Interval { get; } = interval ?? TimeSpan.FromMilliseconds(500);

    /// <summary>Completes with the new text when the file's contents change; null when cancelled.</summary>
    public async Task<string?> NextChangeAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var text = TryRead(path);
                if (text is null || text == _last) continue;
                // An editor may truncate and then write: take the text once two reads a moment apart agree.
                await Task.Delay(Settle, cancellationToken);
                if (TryRead(path) != text) continue;
                _last = text;
                return text;
            }
        }
        catch (OperationCanceledException)
        {
        }
        return null;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // mid-save; the next poll sees the finished file
        }
    }
}
