using Platform.Engine.Contracts;

namespace Platform.Host.Nab;

/// <summary>One NAB row: the file it came from (the key), its time and value.</summary>
internal struct NabPoint
{
    public int File;
    public long Time;
    public double Value;
}

internal readonly struct NabFileKey : IKeySelector<NabPoint>
{
    public long KeyOf(in NabPoint record) => record.File;
}

internal readonly struct NabTime : IEventTimeSelector<NabPoint>
{
    public long TimeOf(in NabPoint record) => record.Time;
}

internal readonly struct NabValue : IValueSelector<NabPoint>
{
    public double ValueOf(in NabPoint record) => record.Value;
}
