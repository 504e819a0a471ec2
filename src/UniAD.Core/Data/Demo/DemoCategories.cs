using SkiaSharp;

namespace UniAD.Core.Data.Demo;

/// <summary>The demo categories: four textures and two objects, each with three defect types.</summary>
internal static class DemoCategories
{
    public static readonly DemoCategory Fabric = new("fabric", new SKColor(70, 90, 140), (c, look, r) =>
    {
        Transformed(c, look, () =>
        {
            float pitch = look.Size / 24f;
            using var warp = Stroke(look.Shade(new SKColor(95, 118, 170)), pitch * 0.45f);
            using var weft = Stroke(look.Shade(new SKColor(55, 72, 120)), pitch * 0.45f);
            for (float p = -look.Size; p < 2 * look.Size; p += pitch)
            {
                c.DrawLine(p, -look.Size, p, 2 * look.Size, warp);
                for (float q = -look.Size + (p / pitch % 2 == 0 ? 0 : pitch); q < 2 * look.Size; q += 2 * pitch)
                    c.DrawLine(p - pitch * 0.5f, q, p + pitch * 0.5f, q, weft);
            }
        });
    }, [DemoDefects.Scratch, DemoDefects.Hole, DemoDefects.Stain]);

    public static readonly DemoCategory Wood = new("wood", new SKColor(150, 105, 60), (c, look, r) =>
    {
        Transformed(c, look, () =>
        {
            for (int line = 0; line < 40; line++)
            {
                using var grain = Stroke(look.Shade(new SKColor(120, 80, 45, (byte)r.Next(90, 200))), 1 + r.NextSingle() * 2.5f);
                using var path = new SKPath();
                float y = line * look.Size / 36f + r.NextSingle() * 4, phase = r.NextSingle() * 6, amplitude = 2 + r.NextSingle() * 4;
                path.MoveTo(-10, y);
                for (float x = -10; x <= look.Size + 10; x += 4)
                    path.LineTo(x, y + amplitude * MathF.Sin(x / look.Size * 6 + phase));
                c.DrawPath(path, grain);
            }
        });
    }, [DemoDefects.Crack, DemoDefects.Scratch, DemoDefects.ColourDefect]);

    public static readonly DemoCategory Tile = new("tile", new SKColor(200, 200, 195), (c, look, r) =>
    {
        Transformed(c, look, () =>
        {
            float cell = look.Size / 4f;
            for (int i = -1; i < 5; i++)
            for (int j = -1; j < 5; j++)
            {
                int v = r.Next(-10, 11);
                using var fill = Fill(look.Shade(new SKColor((byte)(150 + v), (byte)(155 + v), (byte)(165 + v))));
                c.DrawRoundRect(i * cell + 3, j * cell + 3, cell - 6, cell - 6, 4, 4, fill);
                using var speckle = Fill(look.Shade(new SKColor(120, 125, 135)));
                for (int s = 0; s < 12; s++)
                    c.DrawCircle(i * cell + 6 + r.NextSingle() * (cell - 12), j * cell + 6 + r.NextSingle() * (cell - 12), 1.2f, speckle);
            }
        });
    }, [DemoDefects.Crack, DemoDefects.Contamination, DemoDefects.Hole]);

    public static readonly DemoCategory Mesh = new("mesh", new SKColor(185, 185, 185), (c, look, r) =>
    {
        Transformed(c, look, () =>
        {
            float pitch = look.Size / 12f;
            using var wire = Stroke(look.Shade(new SKColor(60, 60, 65)), pitch * 0.18f);
            for (float p = -look.Size; p < 2 * look.Size; p += pitch)
            {
                c.DrawLine(p, -look.Size, p, 2 * look.Size, wire);
                c.DrawLine(-look.Size, p, 2 * look.Size, p, wire);
            }
        });
    }, [DemoDefects.BentWire, DemoDefects.Contamination, DemoDefects.Scratch]);

    public static readonly DemoCategory BottleCap = new("bottle_cap", new SKColor(30, 30, 35), (c, look, r) =>
    {
        Transformed(c, look, () =>
        {
            float centre = look.Size / 2f, radius = look.Size * 0.36f;
            using var body = Fill(look.Shade(new SKColor(190, 40, 40)));
            c.DrawCircle(centre, centre, radius, body);
            using var ridge = Stroke(look.Shade(new SKColor(140, 25, 25)), 2);
            for (int k = 0; k < 36; k++)
            {
                float a = k * MathF.PI * 2 / 36;
                c.DrawLine(centre + MathF.Cos(a) * radius * 0.88f, centre + MathF.Sin(a) * radius * 0.88f,
                           centre + MathF.Cos(a) * radius, centre + MathF.Sin(a) * radius, ridge);
            }
            using var ring = Stroke(look.Shade(new SKColor(230, 200, 200)), 3);
            c.DrawCircle(centre, centre, radius * 0.55f, ring);
        });
    }, [DemoDefects.Scratch, DemoDefects.ColourDefect, DemoDefects.MissingPart(0.36f)]);

    public static readonly DemoCategory Nut = new("nut", new SKColor(225, 225, 220), (c, look, r) =>
    {
        Transformed(c, look, () =>
        {
            float centre = look.Size / 2f, radius = look.Size * 0.34f;
            c.RotateDegrees(r.NextSingle() * 60, centre, centre);          // hexagons repeat every 60°
            using var hexagon = new SKPath();
            for (int k = 0; k < 6; k++)
            {
                float a = k * MathF.PI / 3;
                var p = new SKPoint(centre + MathF.Cos(a) * radius, centre + MathF.Sin(a) * radius);
                if (k == 0) hexagon.MoveTo(p); else hexagon.LineTo(p);
            }
            hexagon.Close();
            using var metal = Fill(look.Shade(new SKColor(130, 130, 140)));
            c.DrawPath(hexagon, metal);
            using var hole = Fill(look.Shade(look.Background));
            c.DrawCircle(centre, centre, radius * 0.45f, hole);
            using var thread = Stroke(look.Shade(new SKColor(95, 95, 105)), 2);
            c.DrawCircle(centre, centre, radius * 0.5f, thread);
        });
    }, [DemoDefects.MissingPart(0.34f * 0.866f), DemoDefects.Crack, DemoDefects.Contamination]);

    /// <summary>Draws with this image's small shift and rotation about the centre.</summary>
    private static void Transformed(SKCanvas c, DemoLook look, Action draw)
    {
        c.Save();
        c.Translate(look.ShiftX, look.ShiftY);
        c.RotateDegrees(look.Rotation, look.Size / 2f, look.Size / 2f);
        draw();
        c.Restore();
    }

    internal static SKPaint Stroke(SKColor color, float width) =>
        new() { Color = color, Style = SKPaintStyle.Stroke, StrokeWidth = width, IsAntialias = true, StrokeCap = SKStrokeCap.Round };

    internal static SKPaint Fill(SKColor color) => new() { Color = color, Style = SKPaintStyle.Fill, IsAntialias = true };
}
