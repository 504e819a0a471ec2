using Plotly.Blazor;
using Plotly.Blazor.LayoutLib;
using Plotly.Blazor.Traces;
using Plotly.Blazor.Traces.ScatterLib;

namespace UniAD.Lab.Web.Components.Shared;

/// <summary>The lab's Plotly defaults in one place, so every chart looks the same: responsive, no Plotly logo, the same
/// margins and axis titles, and one colour per compared item.</summary>
public static class LabCharts
{
    /// <summary>Plotly's default colour cycle, named so that one item keeps one colour across several charts.</summary>
    private static readonly string[] Palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    public static string Colour(int index) => Palette[index % Palette.Length];

    public static Config Config() => new() { Responsive = true, DisplayLogo = false };

    public static Plotly.Blazor.Layout Layout(int height, string? title = null, string? x = null, string? y = null) => new()
    {
        Height = height,
        Title = title is null ? null : new Title { Text = title },
        Margin = new Margin { T = title is null ? 30 : 40, B = 40 },
        XAxis = [new XAxis { Title = new Plotly.Blazor.LayoutLib.XAxisLib.Title { Text = x } }],
        YAxis = [new YAxis { Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = y } }],
    };

    /// <summary>The legend under the plot, in rows: for charts with many long trace names.</summary>
    public static Plotly.Blazor.Layout WithLegendBelow(this Plotly.Blazor.Layout layout)
    {
        layout.Legend = [new Legend { Orientation = Plotly.Blazor.LayoutLib.LegendLib.OrientationEnum.H, Y = -0.25m, YAnchor = Plotly.Blazor.LayoutLib.LegendLib.YAnchorEnum.Top }];
        layout.Margin!.B = 60;
        return layout;
    }

    /// <summary>Bars of several traces side by side per x value.</summary>
    public static Plotly.Blazor.Layout GroupedBars(int height, string y)
    {
        var layout = Layout(height, y: y);
        layout.BarMode = BarModeEnum.Group;
        return layout;
    }

    /// <summary>A second y axis on the right, drawn over the first (traces use it with <c>YAxis = "y2"</c>).</summary>
    public static YAxis RightAxis(string title, Plotly.Blazor.LayoutLib.YAxisLib.TypeEnum? type = null, IList<object>? range = null) => new()
    {
        Overlaying = "y", Side = Plotly.Blazor.LayoutLib.YAxisLib.SideEnum.Right, Type = type, Range = range,
        Title = new Plotly.Blazor.LayoutLib.YAxisLib.Title { Text = title },
    };

    public static Scatter Line(string name, IEnumerable<object> x, IEnumerable<object> y, bool markers = true) => new()
    {
        Name = name, Mode = markers ? ModeFlag.Lines | ModeFlag.Markers : ModeFlag.Lines, X = x.ToList(), Y = y.ToList(),
    };
}
