using System.Runtime.InteropServices;

namespace Platform.Host.Running;

/// <summary>
/// Turns SIGINT/SIGTERM (Ctrl+C, <c>kill</c>, container stop) into a graceful stop: the source stops,
/// in-flight batches drain, sinks flush, the process exits 0. A second signal aborts.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        ];
    }

    /// <summary>Cancelled on the first signal (or by <see cref="RequestStop"/>).</summary>
    public CancellationToken Stop => _stop.Token;

    /// <summary>Cancelled on the second signal.</summary>
    public CancellationToken Abort => _abort.Token;

    /// <summary>The signal that stopped the run, if any.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>Stops as if signalled (for --duration and --max-events).</summary>
    public void RequestStop() => _stop.Cancel();

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // we exit ourselves, after draining
        Received ??= context.Signal;
        if (_stop.IsCancellationRequested) _abort.Cancel();
        else _stop.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        _stop.Dispose();
        _abort.Dispose();
    }
}
