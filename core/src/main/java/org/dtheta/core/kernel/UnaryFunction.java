package org.dtheta.core.kernel;

/**
 * The elementwise functions the kernels evaluate, each with the first and second derivative
 * the engine's ops need, written in terms of the input {@code x} and the output {@code y}
 * (whichever is cheaper and more stable, as JAX's {@code defjvp2} does).
 */
public enum UnaryFunction {
  /** {@code 1 / (1 + e^-x)}, evaluated without overflow for large |x|. */
  SIGMOID {
    @Override
    public double apply(double x) {
      if (x >= 0) {
        return 1.0 / (1.0 + Math.exp(-x));
      }
      double e = Math.exp(x);
      return e / (1.0 + e);
    }

    @Override
    public double first(double x, double y) {
      return y * (1.0 - y);
    }

    @Override
    public double second(double x, double y) {
      return y * (1.0 - y) * (1.0 - 2.0 * y);
    }
  },
  /** Hyperbolic tangent. */
  TANH {
    @Override
    public double apply(double x) {
      return Math.tanh(x);
    }

    @Override
    public double first(double x, double y) {
      return 1.0 - y * y;
    }

    @Override
    public double second(double x, double y) {
      return -2.0 * y * (1.0 - y * y);
    }
  },
  /** {@code max(x, 0)}; the derivative at 0 is taken as 0, the second derivative as 0. */
  RELU {
    @Override
    public double apply(double x) {
      return x > 0 ? x : 0.0;
    }

    @Override
    public double first(double x, double y) {
      return x > 0 ? 1.0 : 0.0;
    }

    @Override
    public double second(double x, double y) {
      return 0.0;
    }
  },
  /** Natural exponential. */
  EXP {
    @Override
    public double apply(double x) {
      return Math.exp(x);
    }

    @Override
    public double first(double x, double y) {
      return y;
    }

    @Override
    public double second(double x, double y) {
      return y;
    }
  },
  /** Natural logarithm. */
  LOG {
    @Override
    public double apply(double x) {
      return Math.log(x);
    }

    @Override
    public double first(double x, double y) {
      return 1.0 / x;
    }

    @Override
    public double second(double x, double y) {
      return -1.0 / (x * x);
    }
  },
  /** {@code x^2}. */
  SQUARE {
    @Override
    public double apply(double x) {
      return x * x;
    }

    @Override
    public double first(double x, double y) {
      return 2.0 * x;
    }

    @Override
    public double second(double x, double y) {
      return 2.0;
    }
  },
  /** Square root, for {@code x >= 0} (the derivatives are infinite at 0). */
  SQRT {
    @Override
    public double apply(double x) {
      return Math.sqrt(x);
    }

    @Override
    public double first(double x, double y) {
      return 0.5 / y;
    }

    @Override
    public double second(double x, double y) {
      return -0.25 / (x * y);
    }
  },
  /** {@code |x|}; the derivative at 0 is taken as 0 (as for relu), the second derivative as 0. */
  ABS {
    @Override
    public double apply(double x) {
      return Math.abs(x);
    }

    @Override
    public double first(double x, double y) {
      return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
    }

    @Override
    public double second(double x, double y) {
      return 0.0;
    }
  },
  /**
   * {@code log(1 + e^x)}, evaluated as {@code log1p(e^-|x|) + max(x, 0)}, which neither
   * overflows for large {@code x} nor loses small values for very negative {@code x}. Its
   * derivative is the sigmoid.
   */
  SOFTPLUS {
    @Override
    public double apply(double x) {
      return Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0.0);
    }

    @Override
    public double first(double x, double y) {
      return SIGMOID.apply(x);
    }

    @Override
    public double second(double x, double y) {
      double s = SIGMOID.apply(x);
      return s * (1.0 - s);
    }
  };

  /** The value {@code f(x)}. */
  public abstract double apply(double x);

  /** {@code f'(x)}, given {@code x} and {@code y = f(x)}. */
  public abstract double first(double x, double y);

  /** {@code f''(x)}, given {@code x} and {@code y = f(x)}. */
  public abstract double second(double x, double y);
}
