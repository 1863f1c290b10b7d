using System.Text;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;

namespace Platform.Operators.Enrichment;

/// <summary>
/// Joins each telemetry record with its device-registry row. Stateless per record: one frozen-dictionary
/// lookup on the table in force, no allocation (a dead letter for an unknown device is the only exception).
/// </summary>
public sealed class EnrichOperator(RegistryHandle registry, MissingKeyPolicy policy, DeviceInfo defaultRow = default, IDeadLetterSink? deadLetters = null)
    : IBatchOperator<Telemetry, EnrichedTelemetry>
{
    /// <summary>Records whose device was not in the registry.</summary>
    public long Missing { get; private set; }

    /// <inheritdoc />
    public void Process(ReadOnlySpan<Telemetry> input, IBatchOutput<EnrichedTelemetry> output)
    {
        // One read of the handle per batch: a batch sees one consistent table.
        var table = registry.Current;
        foreach (ref readonly var r in input)
        {
            if (table.TryGet(r.Device, out var info))
            {
                output.Emit(new EnrichedTelemetry { Record = r, Device = info, Matched = true });
                continue;
            }
            Missing++;
            switch (policy)
            {
                case MissingKeyPolicy.PassThrough:
                    output.Emit(new EnrichedTelemetry { Record = r });
                    break;
                case MissingKeyPolicy.DefaultRow:
                    output.Emit(new EnrichedTelemetry { Record = r, Device = defaultRow });
                    break;
                default:
                    deadLetters?.Write("enrich", 0, r.Timestamp, "unknown device", Encoding.UTF8.GetBytes($"device symbol {r.Device.Id}"));
                    break;
            }
        }
    }
}
