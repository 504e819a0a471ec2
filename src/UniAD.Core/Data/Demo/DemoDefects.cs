using SkiaSharp;
using static UniAD.Core.Data.Demo.DemoCategories;

namespace UniAD.Core.Data.Demo;

/// <summary>Defect types. Each draws a shape on the image and the same shape in white on the mask; colours
/// stay close to the surface so that brightness alone does not give them away.</summary>
internal static class DemoDefects
{
    public static readonly DemoDefect Scratch = new("scratch", (image, mask, look, r) =>
    {
        using var path = Curve(look, r, segments: 3, length: 0.35f);
        Paint(image, mask, path, Stroke(look.Shade(new SKColor(205, 205, 200, 170)), 1.5f + r.NextSingle()));
    });

    public static readonly DemoDefect Crack = new("crack", (image, mask, look, r) =>
    {
        using var path = Curve(look, r, segments: 7, length: 0.3f, jitter: 0.06f);
        Paint(image, mask, path, Stroke(look.Shade(new SKColor(45, 40, 35, 220)), 1.5f + r.NextSingle()));
    });

    public static readonly DemoDefect Hole = new("hole", (image, mask, look, r) =>
    {
        using var path = new SKPath();
        var (x, y) = Spot(look, r);
        path.AddOval(SKRect.Create(x, y, look.Size * (0.03f + 0.03f * r.NextSingle()), look.Size * (0.03f + 0.03f * r.NextSingle())));
        Paint(image, mask, path, Fill(look.Shade(new SKColor(35, 35, 40))));
    });

    public static readonly DemoDefect Stain = new("stain", (image, mask, look, r) =>
    {
        using var path = Blob(look, r, 0.08f);
        Paint(image, mask, path, Fill(look.Shade(new SKColor(120, 110, 70, 110))));
    });

    public static readonly DemoDefect Contamination = new("contamination", (image, mask, look, r) =>
    {
        using var path = Blob(look, r, 0.05f);
        Paint(image, mask, path, Fill(look.Shade(new SKColor(90, 120, 80, 200))));
    });

    public static readonly DemoDefect ColourDefect = new("color", (image, mask, look, r) =>
    {
        using var path = Blob(look, r, 0.1f);
        Paint(image, mask, path, Fill(look.Shade(new SKColor(170, 140, 60, 90))));
    });

    public static readonly DemoDefect BentWire = new("bent", (image, mask, look, r) =>
    {
        // A short wire segment pushed sideways: the grid's regularity breaks, not its colour.
        float pitch = look.Size / 12f, x = look.Size * (0.3f + 0.4f * r.NextSingle()), y = look.Size * (0.3f + 0.4f * r.NextSingle());
        using var path = new SKPath();
        path.MoveTo(x, y);
        path.QuadTo(x + pitch * 0.6f, y + pitch, x, y + pitch * 2);
        Paint(image, mask, path, Stroke(look.Shade(new SKColor(60, 60, 65)), pitch * 0.18f));
    });

    /// <summary>A fabric thread that broke and slipped by half a pitch: same colours, wrong place.</summary>
    public static readonly DemoDefect BrokenThread = new("thread", (image, mask, look, r) =>
    {
        float pitch = look.Size / 24f;
        var (x, y) = Spot(look, r);
        using var path = new SKPath();
        path.MoveTo(x + pitch / 2, y);
        path.LineTo(x + pitch / 2 + (r.NextSingle() - 0.5f) * pitch, y + look.Size * (0.12f + 0.1f * r.NextSingle()));
        Paint(image, mask, path, Stroke(look.Shade(new SKColor(95, 118, 170)), pitch * 0.45f));
    });

    /// <summary>A crease in leather: a thin dark valley beside a light ridge, both at the leather's own hue.</summary>
    public static readonly DemoDefect Fold = new("fold", (image, mask, look, r) =>
    {
        using var valley = Curve(look, r, segments: 4, length: 0.3f, jitter: 0.01f);
        using var ridge = new SKPath(valley);
        ridge.Offset(2, 2);
        Paint(image, mask, ridge, Stroke(look.Shade(new SKColor(150, 95, 58, 200)), 2));
        Paint(image, mask, valley, Stroke(look.Shade(new SKColor(80, 45, 25, 200)), 2));
    });

    /// <summary>A poke: a small pressed ring, darker rim around an unchanged centre.</summary>
    public static readonly DemoDefect Poke = new("poke", (image, mask, look, r) =>
    {
        var (x, y) = Spot(look, r);
        using var path = new SKPath();
        path.AddCircle(x, y, look.Size * (0.012f + 0.01f * r.NextSingle()));
        Paint(image, mask, path, Stroke(look.Shade(new SKColor(75, 42, 22, 210)), 2));
    });

    /// <summary>Threads flattened along part of a screw's shaft: metal where the thread lines should be.</summary>
    public static readonly DemoDefect ThreadDamage = new("thread_damage", (image, mask, look, r) =>
    {
        var s = new DemoCategories.ScrewShape(look);
        float length = s.ShaftLength * (0.2f + 0.15f * r.NextSingle()), start = s.ShaftLeft + (s.ShaftLength - length) * r.NextSingle();
        using var path = new SKPath();
        path.AddRect(SKRect.Create(start, s.Centre - s.ShaftHalfHeight, length, 2 * s.ShaftHalfHeight));
        InScrewFrame(image, mask, s, () => Paint(image, mask, path, Fill(look.Shade(new SKColor(150, 150, 155)))));
    });

    /// <summary>A bright scratch across the screw head.</summary>
    public static readonly DemoDefect HeadScratch = new("scratch_head", (image, mask, look, r) =>
    {
        var s = new DemoCategories.ScrewShape(look);
        float y0 = s.Centre + (r.NextSingle() - 0.5f) * s.HeadHalfHeight, y1 = s.Centre + (r.NextSingle() - 0.5f) * s.HeadHalfHeight;
        using var path = new SKPath();
        path.MoveTo(s.HeadLeft + 2, y0);
        path.LineTo(s.HeadLeft + s.HeadLength - 2, y1);
        InScrewFrame(image, mask, s, () => Paint(image, mask, path, Stroke(look.Shade(new SKColor(185, 185, 190)), 1.5f)));
    });

    /// <summary>The tip broken off: background where the point was; the mask is exactly the missing point.</summary>
    public static readonly DemoDefect MissingTip = new("missing_tip", (image, mask, look, r) =>
    {
        var s = new DemoCategories.ScrewShape(look);
        using var tip = s.Tip();
        InScrewFrame(image, mask, s, () => Paint(image, mask, tip, Fill(look.Shade(look.Background))));
    });

    private static void InScrewFrame(SKCanvas image, SKCanvas mask, DemoCategories.ScrewShape screw, Action draw)
    {
        screw.Enter(image);
        screw.Enter(mask);
        draw();
        image.Restore();
        mask.Restore();
    }

    /// <summary>A bite out of a round or hexagonal object's rim, replaced by background. The wedge stays within
    /// the object's inscribed circle (<paramref name="inscribedRadius"/> as a fraction of the image), so the mask
    /// is exactly the missing material.</summary>
    public static DemoDefect MissingPart(float inscribedRadius) => new("missing", (image, mask, look, r) =>
    {
        float centre = look.Size / 2f, outer = look.Size * inscribedRadius, inner = outer * 0.7f, start = r.NextSingle() * 360, sweep = 20 + 15 * r.NextSingle();
        using var path = new SKPath();
        path.AddArc(SKRect.Create(centre - outer, centre - outer, 2 * outer, 2 * outer), start, sweep);
        path.ArcTo(SKRect.Create(centre - inner, centre - inner, 2 * inner, 2 * inner), start + sweep, -sweep, false);
        path.Close();
        Paint(image, mask, path, Fill(look.Shade(look.Background)));
    });

    private static void Paint(SKCanvas image, SKCanvas mask, SKPath path, SKPaint paint)
    {
        using var white = paint.Clone();
        using (paint) image.DrawPath(path, paint);
        white.Color = SKColors.White;
        white.IsAntialias = false;
        if (white.Style == SKPaintStyle.Stroke) white.StrokeWidth += 1;   // cover the antialiased rim
        mask.DrawPath(path, white);
    }

    private static (float X, float Y) Spot(DemoLook look, Random r) =>
        (look.Size * (0.2f + 0.6f * r.NextSingle()), look.Size * (0.2f + 0.6f * r.NextSingle()));

    private static SKPath Curve(DemoLook look, Random r, int segments, float length, float jitter = 0.02f)
    {
        var (x, y) = Spot(look, r);
        float angle = r.NextSingle() * MathF.PI, step = look.Size * length / segments;
        var path = new SKPath();
        path.MoveTo(x, y);
        for (int i = 0; i < segments; i++)
        {
            angle += (r.NextSingle() - 0.5f) * 0.6f;
            x += MathF.Cos(angle) * step + (r.NextSingle() - 0.5f) * look.Size * jitter;
            y += MathF.Sin(angle) * step + (r.NextSingle() - 0.5f) * look.Size * jitter;
            path.LineTo(x, y);
        }
        return path;
    }

    private static SKPath Blob(DemoLook look, Random r, float radius)
    {
        var (cx, cy) = Spot(look, r);
        var path = new SKPath();
        for (int k = 0; k < 10; k++)
        {
            float a = k * MathF.PI / 5, rr = look.Size * radius * (0.6f + 0.6f * r.NextSingle());
            var p = new SKPoint(cx + MathF.Cos(a) * rr, cy + MathF.Sin(a) * rr);
            if (k == 0) path.MoveTo(p); else path.LineTo(p);
        }
        path.Close();
        return path;
    }
}
