package org.dtheta.mnist.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {

  @TempDir Path tmp;

  private static BufferedImage read(Path png) throws IOException {
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(900, image.getWidth());
    assertEquals(560, image.getHeight());
    return image;
  }

  @Test
  void heatMapOfALargeBlockIsAveragedDownAndColoured() throws IOException {
    // 1000 x 3: more rows than cells; left column positive (red), right negative (blue).
    double[] m = new double[1000 * 3];
    for (int i = 0; i < 1000; i++) {
      m[i * 3] = 1;
      m[i * 3 + 2] = -1;
    }
    Path png = tmp.resolve("block.png");
    Plots.heatMap(png, "test", m, 1000, 3, "rows", "cols");
    BufferedImage image = read(png);
    int red = 0;
    int blue = 0;
    for (int y = 0; y < image.getHeight(); y += 4) {
      for (int x = 0; x < image.getWidth(); x += 4) {
        int rgb = image.getRGB(x, y);
        int r = (rgb >> 16) & 0xFF;
        int b = rgb & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        red += r > 200 && g < 60 && b < 60 ? 1 : 0;
        blue += b > 200 && r < 60 && g < 60 ? 1 : 0;
      }
    }
    // each pure-colour column covers about a third of the plot area (and the legend has both)
    assertTrue(red > 1000 && blue > 1000, "red " + red + ", blue " + blue);
  }

  @Test
  void linesWithAReferenceAndALogScale() throws IOException {
    double[] x = {1, 2, 3, 4};
    Path png = tmp.resolve("lines.png");
    Plots.lines(png, "t", "x", "y", List.of(new Plots.Series("a", x, new double[] {1, 10, 100, 0})),
        List.of(new Plots.Reference(20, "2/alpha")), true);
    read(png);
    assertThrows(IllegalArgumentException.class, () -> new Plots.Series("bad", x, new double[3]));
  }
}
