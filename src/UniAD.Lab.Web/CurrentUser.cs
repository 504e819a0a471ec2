namespace UniAD.Lab.Web;

/// <summary>Who a request or a page acts for, recorded with what they create. The lab has no accounts yet, so it is the
/// account the lab runs under; this is the one place that changes when accounts come.</summary>
public static class CurrentUser
{
    public static string Name => Environment.UserName;
}
