using Platform.Engine.Runtime;

namespace Platform.Engine.Windows;

public sealed partial class WindowStatsOperator<TIn, TKey, TTime, TValue> : ILateRecordCounter
{
    /// <inheritdoc />
    public long LateRecords => LateDropped + LateSideOutput + LateUpdated;
}
