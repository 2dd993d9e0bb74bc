import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Flows } from './flows.js';
import { Policies } from './policies.js';
import { Probes } from './probes.js';
import { ServiceMap } from './service-map.js';
import { href, navigate, readLocation, VIEWS } from './url-state.js';
import './style.css';

function App() {
  const [location, setLocation] = useState(readLocation());
  useEffect(() => {
    const update = (): void => setLocation(readLocation());
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  useEffect(() => {
    document.title = `flowlens · ${VIEWS.find((view) => view.id === location.view)?.title ?? ''}`;
  }, [location.view]);
  return (
    <>
      <header>
        <h1>flowlens</h1>
        <nav aria-label="Views">
          <ul>
            {VIEWS.map((view) => (
              <li key={view.id}>
                <a
                  href={href(view.id)}
                  aria-current={location.view === view.id ? 'page' : undefined}
                  onClick={(event) => {
                    event.preventDefault();
                    navigate(view.id);
                  }}
                >
                  {view.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main>
        {location.view === 'flows' && <Flows params={location.params} />}
        {location.view === 'map' && <ServiceMap params={location.params} />}
        {location.view === 'policies' && <Policies params={location.params} />}
        {location.view === 'probes' && <Probes params={location.params} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
