namespace Platform.Engine.Contracts;

/// <summary>The key of a record, as 64 bits (packed symbols). Implement as a struct so the JIT inlines it.</summary>
public interface IKeySelector<T>
{
    /// <summary>The record's key.</summary>
    long KeyOf(in T record);
}

/// <summary>The event time of a record, Unix ms. Implement as a struct.</summary>
public interface IEventTimeSelector<T>
{
    /// <summary>The record's event time.</summary>
    long TimeOf(in T record);
}

/// <summary>The numeric value an aggregate reads from a record. Implement as a struct.</summary>
public interface IValueSelector<T>
{
    /// <summary>The record's value.</summary>
    double ValueOf(in T record);
}
