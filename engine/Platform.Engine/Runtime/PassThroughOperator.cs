using System.Buffers;
using Platform.Engine.Batching;
using Platform.Engine.Contracts;

namespace Platform.Engine.Runtime;

/// <summary>Forwards records unchanged: the keyed stage of a pipeline that has none.</summary>
internal sealed class PassThroughOperator<T> : IKeyedOperator<T, T>
{
    public void OnRecords(ReadOnlySpan<T> input, IBatchOutput<T> output)
    {
        foreach (ref readonly var r in input) output.Emit(r);
    }

    public void OnWatermark(long watermark, IBatchOutput<T> output) { }

    public void Snapshot(IBufferWriter<byte> writer) { }

    public void Restore(ReadOnlySequence<byte> snapshot) { }
}
