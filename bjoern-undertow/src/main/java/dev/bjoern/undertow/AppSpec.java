package dev.bjoern.undertow;

import dev.bjoern.StartResponse;
import dev.bjoern.WsgiApplication;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The application named on the command line, as {@code CLASS:MEMBER} or {@code CLASS}, the way
 * {@code python -m bjoern} takes {@code module:function}.
 *
 * <p>Errors in the spec (no such class or member, a member of the wrong type, options the member cannot
 * receive, a factory returning null) are {@link IllegalArgumentException}s naming the spec. A class the app
 * needs that is not on the classpath (its superclass, a type in its members' signatures, a class its factory
 * uses) is a {@link TypeNotPresentException} naming that class; {@link #missingClass} says it for the user.
 * Anything else the application's own code throws while it is created becomes an
 * {@link IllegalStateException} with that exception as its cause.
 */
final class AppSpec {
    /**
     * Packages an app often needs and the artifact that usually brings them, the more specific first: what the
     * missing-class message suggests.
     */
    private static final Map<String, String> ARTIFACTS = new LinkedHashMap<>();

    static {
        ARTIFACTS.put("dev.bjoern.servlet.", "dev.bjoern:bjoern-servlet-bridge");
        ARTIFACTS.put("dev.bjoern.test.", "dev.bjoern:bjoern-test");
        ARTIFACTS.put("jakarta.servlet.", "jakarta.servlet:jakarta.servlet-api");
        ARTIFACTS.put("jakarta.ws.rs.", "jakarta.ws.rs:jakarta.ws.rs-api");
        ARTIFACTS.put("org.glassfish.jersey.server.", "org.glassfish.jersey.core:jersey-server");
        ARTIFACTS.put("org.glassfish.jersey.inject.hk2.", "org.glassfish.jersey.inject:jersey-hk2");
        ARTIFACTS.put("org.glassfish.jersey.", "org.glassfish.jersey.containers:jersey-container-servlet-core");
        ARTIFACTS.put("org.springframework.web.servlet.", "org.springframework:spring-webmvc");
        ARTIFACTS.put("org.springframework.web.", "org.springframework:spring-web");
        ARTIFACTS.put("org.springframework.context.", "org.springframework:spring-context");
        ARTIFACTS.put("org.springframework.", "org.springframework:spring-webmvc");
        ARTIFACTS.put("com.fasterxml.jackson.databind.", "com.fasterxml.jackson.core:jackson-databind");
        ARTIFACTS.put("io.micrometer.statsd.", "io.micrometer:micrometer-registry-statsd");
        ARTIFACTS.put("io.micrometer.prometheusmetrics.", "io.micrometer:micrometer-registry-prometheus");
    }

    private static final String EXPECTED = "expected a static field holding a WsgiApplication, a static method"
            + " returning a WsgiApplication (with no parameters or one String[]), or a static method"
            + " (Map<String, Object>, StartResponse) -> Iterable<byte[]>";

    private AppSpec() {
    }

    /**
     * Finds the application {@code spec} names and creates it.
     *
     * @param options the arguments after the spec, in order; only a factory method taking {@code String[]}
     *     may receive them, so for any other kind of spec they must be empty
     */
    static WsgiApplication load(String spec, List<String> options, ClassLoader loader) {
        int colon = spec.indexOf(':');
        String className = colon < 0 ? spec : spec.substring(0, colon);
        String member = colon < 0 ? null : spec.substring(colon + 1);
        if (className.isEmpty() || "".equals(member)) {
            throw new IllegalArgumentException("the app must be CLASS or CLASS:MEMBER, got \"" + spec + "\"");
        }
        try {
            Class<?> type = findClass(className, loader);
            return member == null ? construct(type, options) : fromMember(type, spec, member, options);
        } catch (NoClassDefFoundError e) {
            // Reflection resolves the types in the members' signatures.
            String missing = missingClass(e);
            if (missing == null) {
                throw new IllegalStateException(spec + " failed: " + e, e);
            }
            throw new TypeNotPresentException(missing, e);
        }
    }

    /**
     * What the command line says when {@code spec} needs {@code className}, which is not on the classpath,
     * with the artifact that usually brings it when the class is in a well-known package.
     */
    static String missingClass(String spec, String className) {
        String artifact = ARTIFACTS.entrySet().stream().filter(e -> className.startsWith(e.getKey()))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        return spec + " needs class " + className + ", which is not on the classpath"
                + (artifact == null ? "" : " (it usually comes from " + artifact + ")");
    }

    /**
     * The class that a NoClassDefFoundError or ClassNotFoundException among {@code e}'s causes says is not
     * there, or null. "Could not initialize class X" and "X (wrong name: Y)" are other troubles: the class is
     * there.
     */
    private static String missingClass(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if ((t instanceof NoClassDefFoundError || t instanceof ClassNotFoundException) && t.getMessage() != null
                    && t.getMessage().matches("[\\w$/.]+")) {
                return t.getMessage().replace('/', '.');
            }
        }
        return null;
    }

    private static Class<?> findClass(String name, ClassLoader loader) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("no class " + name + " on the classpath");
        } catch (LinkageError e) {
            String missing = missingClass(e);
            if (missing != null) {
                throw new TypeNotPresentException(missing, e);
            }
            throw new IllegalArgumentException("class " + name + " cannot be loaded: " + e, e);
        }
    }

    private static WsgiApplication construct(Class<?> type, List<String> options) {
        String name = type.getName();
        if (!WsgiApplication.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(name + " does not implement " + WsgiApplication.class.getName()
                    + "; to name a static field or method in it, give " + name + ":MEMBER");
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException(name + " is abstract; expected a class with a public no-arg"
                    + " constructor");
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(name + " has no public no-arg constructor");
        }
        refuseOptions(name, options);
        // A public constructor of a class that is not public still needs this.
        constructor.setAccessible(true);
        return (WsgiApplication) create(name + "()", () -> constructor.newInstance());
    }

    private static WsgiApplication fromMember(Class<?> type, String spec, String name, List<String> options) {
        Field field = Arrays.stream(type.getDeclaredFields())
                .filter(f -> f.getName().equals(name) && Modifier.isStatic(f.getModifiers()))
                .findFirst().orElse(null);
        if (field != null) {
            if (!WsgiApplication.class.isAssignableFrom(field.getType())) {
                throw new IllegalArgumentException(spec + " is a static field of type "
                        + field.getType().getTypeName() + "; " + EXPECTED);
            }
            refuseOptions(spec, options);
            field.setAccessible(true);
            return nonNull(spec + " is null", create(spec, () -> field.get(null)));
        }
        List<Method> methods = Arrays.stream(type.getDeclaredMethods())
                .filter(m -> m.getName().equals(name) && !m.isSynthetic())
                .sorted(Comparator.comparing(Method::toString)) // in an order that does not vary by JVM
                .collect(Collectors.toList());
        Optional<Method> factory = methods.stream().filter(AppSpec::isFactoryWithOptions).findFirst()
                .or(() -> methods.stream().filter(AppSpec::isFactory).findFirst());
        if (factory.isPresent()) {
            Method method = factory.get();
            method.setAccessible(true);
            if (method.getParameterCount() == 1) {
                String[] arguments = options.toArray(new String[0]);
                return nonNull(spec + " returned null",
                        create(spec, () -> method.invoke(null, (Object) arguments)));
            }
            refuseOptions(spec, options);
            return nonNull(spec + " returned null", create(spec, () -> method.invoke(null)));
        }
        Optional<Method> app = methods.stream().filter(AppSpec::isApplication).findFirst();
        if (app.isPresent()) {
            refuseOptions(spec, options);
            // Run the static initializer now, not on the IO thread at the first request.
            create(spec, () -> Class.forName(type.getName(), true, type.getClassLoader()));
            return wrap(app.get());
        }
        Optional<Method> other = methods.stream().filter(m -> Modifier.isStatic(m.getModifiers())).findFirst();
        if (other.isPresent()) {
            throw new IllegalArgumentException(spec + " is a static method " + describe(other.get()) + "; "
                    + EXPECTED);
        }
        // What is left with this name is not static.
        if (Arrays.stream(type.getDeclaredFields()).anyMatch(f -> f.getName().equals(name))) {
            throw new IllegalArgumentException(spec + " is an instance field, not static; " + EXPECTED);
        }
        if (!methods.isEmpty()) {
            throw new IllegalArgumentException(spec + " is an instance method, not static; " + EXPECTED);
        }
        throw new IllegalArgumentException(type.getName() + " has no field or method named \"" + name + "\"");
    }

    private static boolean isFactory(Method m) {
        return Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                && WsgiApplication.class.isAssignableFrom(m.getReturnType());
    }

    private static boolean isFactoryWithOptions(Method m) {
        return Modifier.isStatic(m.getModifiers())
                && Arrays.equals(m.getParameterTypes(), new Class<?>[] {String[].class})
                && WsgiApplication.class.isAssignableFrom(m.getReturnType());
    }

    private static boolean isApplication(Method m) {
        return Modifier.isStatic(m.getModifiers())
                && Arrays.equals(m.getParameterTypes(), new Class<?>[] {Map.class, StartResponse.class})
                && Iterable.class.isAssignableFrom(m.getReturnType());
    }

    /** A static method with the application's signature, called through a method handle: no per-call lookup. */
    private static WsgiApplication wrap(Method method) {
        MethodHandle handle;
        try {
            method.setAccessible(true);
            handle = MethodHandles.lookup().unreflect(method)
                    .asType(MethodType.methodType(Iterable.class, Map.class, StartResponse.class));
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("cannot call " + method + ": " + e.getMessage(), e);
        }
        return (environ, startResponse) -> {
            try {
                @SuppressWarnings("unchecked")
                Iterable<byte[]> body = (Iterable<byte[]>) handle.invokeExact(environ, startResponse);
                return body;
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new UndeclaredThrowableException(t);
            }
        };
    }

    private static void refuseOptions(String spec, List<String> options) {
        if (!options.isEmpty()) {
            throw new IllegalArgumentException(spec + " cannot receive the arguments after it, " + options
                    + "; only a static method taking String[] does");
        }
    }

    private static WsgiApplication nonNull(String whenNull, Object app) {
        if (app == null) {
            throw new IllegalArgumentException(whenNull + "; expected a WsgiApplication");
        }
        return (WsgiApplication) app;
    }

    private static String describe(Method method) {
        return method.getName() + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(", ", "(", ")"))
                + " returning " + method.getReturnType().getSimpleName();
    }

    /** Runs the application's own code: its static initializer, factory or constructor. */
    private static Object create(String what, Reflective call) {
        try {
            return call.run();
        } catch (InvocationTargetException | ExceptionInInitializerError e) {
            Throwable cause = e.getCause();
            String missing = missingClass(cause);
            if (missing != null) {
                throw new TypeNotPresentException(missing, cause);
            }
            throw new IllegalStateException(what + " failed: " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(what + " failed: " + e, e);
        }
    }

    private interface Reflective {
        Object run() throws ReflectiveOperationException;
    }
}
