using System.Text;
using Platform.Engine.Batching;
using Platform.Engine.DeadLetters;
using Platform.Engine.Records;
using Platform.Engine.Symbols;

namespace Platform.Host.Running;

/// <summary>
/// The side output of late records (late-policy: side-output): each goes to the dead-letter file
/// with the reason and the record re-rendered as JSON (its raw line is gone after parsing).
/// Late records are rare, so this path may allocate.
/// </summary>
internal sealed class LateRecordsToDeadLetters(IDeadLetterSink deadLetters, SymbolTable symbols) : IBatchOutput<Telemetry>
{
    public void Emit(in Telemetry record)
    {
        var json = FormattableString.Invariant(
            $"{{\"deviceId\":\"{symbols.NameOf(record.Device)}\",\"sensorType\":\"{symbols.NameOf(record.Sensor)}\",\"timestamp\":{record.Timestamp},\"value\":{record.Value:R}}}");
        deadLetters.Write("late-records", 0, record.Timestamp, "late record: its window had already fired (late-policy: side-output)", Encoding.UTF8.GetBytes(json));
    }
}
