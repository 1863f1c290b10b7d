using System.Text;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Operators.Enrichment;

/// <summary>
/// The <see cref="MissingKeyPolicy.DeadLetter"/> policy before the keyed stage: a record whose device is not
/// in the registry in force goes to the dead-letter queue (reason "unknown device", the device id as the raw
/// bytes) and no further. One instance serves every worker: it keeps no state but an atomic counter.
/// </summary>
public sealed class UnknownDeviceFilter(RegistryHandle registry, IDeadLetterSink deadLetters, SymbolTable symbols, string stage = "enrich")
    : IBatchOperator<Telemetry, Telemetry>
{
    private long _dropped;

    /// <summary>Records sent to the dead-letter queue.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <inheritdoc />
    public void Process(ReadOnlySpan<Telemetry> input, IBatchOutput<Telemetry> output)
    {
        var table = registry.Current;
        foreach (ref readonly var r in input)
        {
            if (table.TryGet(r.Device, out _))
            {
                output.Emit(r);
                continue;
            }
            Interlocked.Increment(ref _dropped);
            deadLetters.Write(stage, 0, r.Timestamp, "unknown device: not in the device registry", Encoding.UTF8.GetBytes(symbols.NameOf(r.Device)));
        }
    }
}
