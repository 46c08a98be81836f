package org.dtheta.nn;

/**
 * The two-layer net by plain loops, independent of the tape: the forward pass, the exact
 * Jacobian of the logits {@code A2} with respect to theta, the Hessian of the loss with respect
 * to the logits of one sample, and from them a dense Gauss-Newton matrix.
 */
final class Reference {

  final NetworkConfig c;
  final Dataset d;
  final ParamLayout layout;
  final int k;
  final int n;
  final int h;
  final int o;
  final double[] theta;
  final double[] a1;
  final double[] z1;
  final double[] a2;
  final double[] y;

  Reference(NetworkConfig c, Dataset d, double[] theta) {
    this.c = c;
    this.d = d;
    this.layout = c.layout();
    this.k = d.k();
    this.n = c.inputs();
    this.h = c.hidden();
    this.o = c.outputs();
    this.theta = theta;
    a1 = new double[k * h];
    z1 = new double[k * h];
    a2 = new double[k * o];
    y = new double[k * o];
    for (int i = 0; i < k; i++) {
      for (int p = 0; p < h; p++) {
        double s = theta[layout.index(Block.B1, 0, p)];
        if (c.denseFirstLayer()) {
          for (int j = 0; j < n; j++) {
            s += d.x()[i * n + j] * theta[layout.index(Block.W1, j, p)];
          }
        } else {
          s += d.x()[i * n + p];
        }
        a1[i * h + p] = s;
        z1[i * h + p] = act(s);
      }
      for (int r = 0; r < o; r++) {
        double s = theta[layout.index(Block.B2, 0, r)];
        for (int p = 0; p < h; p++) {
          s += z1[i * h + p] * theta[layout.index(Block.W2, p, r)];
        }
        a2[i * o + r] = s;
      }
      outputs(a2, i * o, y);
    }
  }

  double act(double a) {
    return switch (c.activation()) {
      case SIGMOID -> 1 / (1 + Math.exp(-a));
      case TANH -> Math.tanh(a);
      case RELU -> Math.max(a, 0);
    };
  }

  double actPrime(double a) {
    return switch (c.activation()) {
      case SIGMOID -> act(a) * (1 - act(a));
      case TANH -> 1 - Math.tanh(a) * Math.tanh(a);
      case RELU -> a > 0 ? 1 : 0;
    };
  }

  private void outputs(double[] logits, int from, double[] out) {
    switch (c.output()) {
      case SOFTMAX -> {
        double max = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < o; r++) {
          max = Math.max(max, logits[from + r]);
        }
        double sum = 0;
        for (int r = 0; r < o; r++) {
          sum += Math.exp(logits[from + r] - max);
        }
        for (int r = 0; r < o; r++) {
          out[from + r] = Math.exp(logits[from + r] - max) / sum;
        }
      }
      case SIGMOID -> {
        for (int r = 0; r < o; r++) {
          out[from + r] = 1 / (1 + Math.exp(-logits[from + r]));
        }
      }
      case IDENTITY -> System.arraycopy(logits, from, out, from, o);
    }
  }

  /** {@code d A2[i][r] / d theta}, as a {@code (k*o) x P} row-major matrix. */
  double[] logitJacobian() {
    int pp = layout.size();
    double[] j = new double[k * o * pp];
    for (int i = 0; i < k; i++) {
      for (int r = 0; r < o; r++) {
        int row = (i * o + r) * pp;
        j[row + layout.index(Block.B2, 0, r)] = 1;
        for (int p = 0; p < h; p++) {
          j[row + layout.index(Block.W2, p, r)] = z1[i * h + p];
          double back = theta[layout.index(Block.W2, p, r)] * actPrime(a1[i * h + p]);
          j[row + layout.index(Block.B1, 0, p)] = back;
          if (c.denseFirstLayer()) {
            for (int q = 0; q < n; q++) {
              j[row + layout.index(Block.W1, q, p)] = d.x()[i * n + q] * back;
            }
          }
        }
      }
    }
    return j;
  }

  /** The Hessian of the data loss with respect to sample {@code i}'s logits, {@code o x o}. */
  double[] outputHessian(int i) {
    double[] hs = new double[o * o];
    double[] yi = new double[o];
    double[] ti = new double[o];
    System.arraycopy(y, i * o, yi, 0, o);
    System.arraycopy(d.targets(), i * o, ti, 0, o);
    for (int r = 0; r < o; r++) {
      for (int s = 0; s < o; s++) {
        hs[r * o + s] =
            switch (c.loss()) {
              // L = -(1/k) sum t log softmax(a): Hessian (diag(y) - y y^T)/k
              case CROSS_ENTROPY -> ((r == s ? yi[r] : 0) - yi[r] * yi[s]) / k;
              // L = mean over k*o entries of the logistic loss: y(1 - y)/(k o) on the diagonal
              case BINARY_CROSS_ENTROPY -> r == s ? yi[r] * (1 - yi[r]) / (k * o) : 0;
              case SQUARED_ERROR -> squaredErrorHessian(yi, ti, r, s);
            };
      }
    }
    return hs;
  }

  /** d^2/da_r da_s of sum_u (y_u - t_u)^2 with y = out(a). */
  private double squaredErrorHessian(double[] yi, double[] ti, int r, int s) {
    switch (c.output()) {
      case IDENTITY:
        return r == s ? 2 : 0;
      case SIGMOID:
        // y' = y(1-y), y'' = y(1-y)(1-2y): 2 (y'^2 + (y - t) y'') on the diagonal
        if (r != s) {
          return 0;
        }
        double d1 = yi[r] * (1 - yi[r]);
        return 2 * (d1 * d1 + (yi[r] - ti[r]) * d1 * (1 - 2 * yi[r]));
      default:
        // softmax: dy_u/da_r = y_u (delta_ur - y_r); 2 sum_u dy_u/da_r dy_u/da_s + (y_u - t_u) d2y_u
        double total = 0;
        for (int u = 0; u < o; u++) {
          double dur = yi[u] * ((u == r ? 1 : 0) - yi[r]);
          double dus = yi[u] * ((u == s ? 1 : 0) - yi[s]);
          double d2 =
              yi[u] * ((u == s ? 1 : 0) - yi[s]) * ((u == r ? 1 : 0) - yi[r])
                  - yi[u] * yi[r] * ((r == s ? 1 : 0) - yi[s]);
          total += 2 * (dur * dus + (yi[u] - ti[u]) * d2);
        }
        return total;
    }
  }

  /** {@code G = J^T H_out J + (l2/k) I_weights}, dense {@code P x P}. */
  double[] gaussNewton() {
    int pp = layout.size();
    double[] j = logitJacobian();
    double[] g = new double[pp * pp];
    for (int i = 0; i < k; i++) {
      double[] hs = outputHessian(i);
      for (int r = 0; r < o; r++) {
        for (int s = 0; s < o; s++) {
          double w = hs[r * o + s];
          if (w == 0) {
            continue;
          }
          int jr = (i * o + r) * pp;
          int js = (i * o + s) * pp;
          for (int a = 0; a < pp; a++) {
            double left = w * j[jr + a];
            for (int b = 0; b < pp; b++) {
              g[a * pp + b] += left * j[js + b];
            }
          }
        }
      }
    }
    for (Block b : new Block[] {Block.W1, Block.W2}) {
      for (int e = layout.offset(b); e < layout.offset(b) + layout.length(b); e++) {
        g[e * pp + e] += c.l2() / k;
      }
    }
    return g;
  }
}
