namespace Platform.Operators.Geo;

/// <summary>Great-circle distance on a spherical Earth (mean radius), good to ~0.5% — ample for travel-speed checks.</summary>
public static class Haversine
{
    /// <summary>Mean Earth radius in metres.</summary>
    public const double EarthRadiusMetres = 6_371_008.8;

    /// <summary>Distance in metres between two (latitude, longitude) points in degrees.</summary>
    public static double Metres(double lat1, double lon1, double lat2, double lon2)
    {
        var p1 = double.DegreesToRadians(lat1);
        var p2 = double.DegreesToRadians(lat2);
        var dp = p2 - p1;
        var dl = double.DegreesToRadians(lon2 - lon1);
        var a = Math.Sin(dp / 2) * Math.Sin(dp / 2) + Math.Cos(p1) * Math.Cos(p2) * Math.Sin(dl / 2) * Math.Sin(dl / 2);
        return 2 * EarthRadiusMetres * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}
