using System.Diagnostics;
using System.Text;

namespace Platform.Tests.Shared;

/// <summary>
/// <c>dotnet platform.dll run &lt;yaml&gt;</c> as a child process, its output captured, killed on dispose:
/// the daemon as an operator starts it.
/// </summary>
internal sealed class PlatformDaemon : IDisposable
{
    private readonly StringBuilder _stderr = new();
    private readonly StringBuilder _stdout = new();

    public PlatformDaemon(string yaml, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "platform.dll"), "run", yaml])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        Process = Process.Start(start)!;
        Process.ErrorDataReceived += (_, e) => { lock (_stderr) _stderr.AppendLine(e.Data); };
        Process.OutputDataReceived += (_, e) => { lock (_stdout) _stdout.AppendLine(e.Data); };
        Process.BeginErrorReadLine();
        Process.BeginOutputReadLine();
    }

    public Process Process { get; }

    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    public string Stdout
    {
        get { lock (_stdout) return _stdout.ToString(); }
    }

    /// <summary>Waits until an HTTP ingest source accepts requests.</summary>
    public Task WaitListeningAsync() => WaitForAsync("ingest: listening");

    /// <summary>Waits (up to 60 s: the suite runs on a loaded machine) until stderr shows <paramref name="text"/>.</summary>
    public async Task WaitForAsync(string text)
    {
        for (var i = 0; i < 600 && !Stderr.Contains(text, StringComparison.Ordinal); i++)
        {
            if (Process.HasExited) throw new InvalidOperationException("the daemon exited: " + Stdout + Stderr);
            await Task.Delay(100);
        }
        if (!Stderr.Contains(text, StringComparison.Ordinal)) throw new TimeoutException($"the daemon did not print '{text}' within 60 s: " + Stderr);
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }
}
