using NetTopologySuite.Geometries.Prepared;
using Platform.Engine.Symbols;

namespace Platform.Operators.Geo;

/// <summary>One geofence polygon: its index in the set, its name (interned) and the site or tenant it belongs to.</summary>
public sealed record Fence(int Index, Symbol Name, Symbol Site, IPreparedGeometry Shape);
